"""Tickets, their messages (articles), attachments, states, categories and history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ayuda.accounts.models import Level, Organisation, Site, Team, Vendor
from ayuda.core.i18n import translated

I18N_HELP = _('Translations, one per language: {"es": "…", "it": "…"}.')


class StateCategory(models.TextChoices):
    """The fixed categories every editable state belongs to. Code branches on these only."""

    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    PENDING_VENDOR = "pending_vendor", _("Pending vendor")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_CATEGORIES = (
    StateCategory.NEW,
    StateCategory.OPEN,
    StateCategory.PENDING_CUSTOMER,
    StateCategory.PENDING_VENDOR,
)
ACTIVE = Q(state_category__in=[c.value for c in ACTIVE_CATEGORIES])


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request or question")
    IMPROVEMENT = "improvement", _("Improvement")
    PROBLEM = "problem", _("Problem")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    MONITORING = "monitoring", _("Monitoring")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class DelayReason(models.TextChoices):
    """Why a ticket is waiting through no fault of the desk (R28): its service-level clock stops
    while one is set."""

    CUSTOM_DEVELOPMENT = "custom_development", _("Custom development in progress")
    MISUSE = "misuse", _("Misuse")
    TERMS_BREACH = "terms_breach", _("Breach of the terms of service")
    WRONG_INFORMATION = "wrong_information", _("Wrong or incomplete information")


class EscalationMode(models.TextChoices):
    """How level 2 takes an escalated ticket (seeds: "possederlo" or return to level 1)."""

    TRANSFER = "transfer", _("Transfer: level 2 owns the ticket")
    REFERRAL = "referral", _("Referral: level 2 answers, level 1 keeps ownership")


class TicketState(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_i18n = models.JSONField(
        _("name, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    category = models.CharField(_("category"), max_length=20, choices=StateCategory.choices)
    is_default = models.BooleanField(
        _("default for its category"),
        default=False,
        help_text=_("The state a ticket gets when it moves into this category."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ticket state")
        verbose_name_plural = _("ticket states")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(is_default=True),
                name="state_one_default_per_category",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language; a default state's name is also a msgid."""
        from django.utils.translation import gettext

        return translated(self.name_i18n, gettext(self.name))


class Category(models.Model):
    """A tree of problem categories; each has its own extra form fields (R1, R13, R14)."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=200)
    name_i18n = models.JSONField(
        _("name, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    description = models.TextField(_("description"), blank=True)
    description_i18n = models.JSONField(
        _("description, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    is_software = models.BooleanField(
        _("software problem"),
        default=False,
        help_text=_("Asks for steps to reproduce, URL, software version and edition."),
    )
    extra_fields = models.JSONField(
        _("extra form fields"),
        default=list,
        blank=True,
        help_text=_(
            'A list of fields: {"name": "serial", "label": "Serial number", '
            '"type": "text|textarea|url|choice", "required": true, "choices": []}. '
            '"label", "help" and each choice\'s label may be one text per language: '
            '{"en": "Serial number", "es": "Número de serie", "it": "Numero di serie"}; '
            'a translated choice is {"value": "laser", "label": {"en": "Laser", "es": "Láser"}}.'
        ),
    )
    default_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("default team"),
        help_text=_(
            "The team that handles this category. A level 1 team receives new tickets; a "
            "level 2 team receives them only when they are escalated, unless the category "
            "goes straight to level 2."
        ),
    )
    routes_to_level_2 = models.BooleanField(
        _("straight to level 2"),
        default=False,
        help_text=_(
            "New tickets skip the front line and go to the default team (a level 2 team). "
            "Otherwise level 1 receives every ticket first."
        ),
    )
    solution_required = models.BooleanField(
        _("solution required"),
        default=True,
        help_text=_(
            "Resolving a ticket of this category needs a solution text (it can become a "
            "knowledge article). Off: a short closing message is enough."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")
        ]

    def __str__(self) -> str:
        """The configured path, in no particular reader's language (history records it)."""
        return f"{self.parent} › {self.name}" if self.parent_id else self.name

    @property
    def display_name(self) -> str:
        return translated(self.name_i18n, self.name)

    @property
    def display_description(self) -> str:
        return translated(self.description_i18n, self.description)

    def display_path(self, *, language: str | None = None) -> str:
        """The path, "Parent › Child", in ``language`` (the active one if not given)."""
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(translated(node.name_i18n, node.name, language=language))
            node = node.parent if node.parent_id else None
        return " › ".join(reversed(names))

    def clean(self) -> None:
        from .extra_fields import extra_fields_check

        try:
            extra_fields_check(self.extra_fields)
        except ValidationError as error:
            raise ValidationError({"extra_fields": error.messages}) from error
        if self.routes_to_level_2 and (
            self.default_team is None or self.default_team.level != Level.L2
        ):
            raise ValidationError(
                {"routes_to_level_2": _("Choose a level 2 team as the default team first.")}
            )


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(
        _("type"), max_length=20, choices=TicketType.choices, default=TicketType.INCIDENT
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    state = models.ForeignKey(TicketState, on_delete=models.PROTECT, verbose_name=_("state"))
    # Denormalised from state.category so the queue's partial indexes can use it.
    state_category = models.CharField(max_length=20, choices=StateCategory.choices, editable=False)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.L1)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("team"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_tickets",
        verbose_name=_("owner"),
    )
    referral_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_tickets",
        verbose_name=_("referred to"),
        help_text=_("Level 2 team working on the ticket while level 1 keeps it."),
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("vendor"),
    )
    vendor_reference = models.CharField(_("vendor reference"), max_length=100, blank=True)
    # The vendor that holds the ticket now (level "vendor"), else NULL; kept by the database.
    # A vendor agent's queue filters on this one column: with ``vendor`` and ``level`` apart,
    # PostgreSQL estimated a vendor's current tickets at a quarter of the table whatever the
    # statistics, and walked the whole active queue (docs/performance.md).
    vendor_now = models.GeneratedField(
        expression=models.Case(
            models.When(level=Level.VENDOR, then=models.F("vendor")), default=None
        ),
        output_field=models.BigIntegerField(null=True),
        db_persist=True,
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    # The device an incident is about (R16, R34): like the site, an attribute of the ticket.
    device = models.ForeignKey(
        "devices.Device",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("device"),
    )
    # Environment (R1): given by the requester or captured from the request.
    url = models.CharField(_("URL"), max_length=500, blank=True)
    software_version = models.CharField(_("software version"), max_length=100, blank=True)
    software_edition = models.CharField(_("edition"), max_length=100, blank=True)
    steps_to_reproduce = models.TextField(_("steps to reproduce"), blank=True)
    browser = models.CharField(_("browser"), max_length=200, blank=True)
    operating_system = models.CharField(_("operating system"), max_length=200, blank=True)
    extra = models.JSONField(_("category form answers"), default=dict, blank=True)
    solution = models.TextField(_("solution"), blank=True)

    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    delay_reason = models.CharField(
        _("delay reason"), max_length=30, choices=DelayReason.choices, blank=True
    )
    # Service levels (the sla app keeps them): the desk clock's policy and due times, the
    # nearest of them for "due soonest", the first breach, and the vendor clock's nearest due.
    # NULL while there is no such target or while the clock is paused.
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service level policy"),
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_update_due_at = models.DateTimeField(_("next update due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("due"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    vendor_due_at = models.DateTimeField(_("vendor due"), null=True, blank=True)
    # Optimistic concurrency: every write bumps it; a stale form gets a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The head of the hash-chained history: deleting the newest events breaks the match.
    history_seq = models.PositiveIntegerField(default=0, editable=False)
    history_head = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The queue: oldest first over active tickets, alone or with one filter.
            models.Index(fields=["created_at", "id"], condition=ACTIVE, name="tk_active_age"),
            models.Index(
                fields=["team", "created_at", "id"], condition=ACTIVE, name="tk_active_team"
            ),
            models.Index(
                fields=["owner", "created_at", "id"], condition=ACTIVE, name="tk_active_owner"
            ),
            models.Index(
                fields=["level", "created_at", "id"], condition=ACTIVE, name="tk_active_level"
            ),
            models.Index(
                fields=["category", "created_at", "id"], condition=ACTIVE, name="tk_active_category"
            ),
            models.Index(
                fields=["site", "created_at", "id"], condition=ACTIVE, name="tk_active_site"
            ),
            models.Index(fields=["device", "created_at", "id"], name="tk_device_age"),
            # Service levels: "due soonest" over active tickets, and the breached ones.
            models.Index(
                fields=["sla_due_at", "id"],
                condition=ACTIVE & Q(sla_due_at__isnull=False),
                name="tk_active_due",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=ACTIVE & Q(sla_breached_at__isnull=False),
                name="tk_active_breached",
            ),
            # Channel and type: alone, and to narrow a rare combination of filters quickly
            # (channel + type + level read 55k rows without them, 11k with; docs/performance.md).
            models.Index(
                fields=["channel", "created_at", "id"], condition=ACTIVE, name="tk_active_channel"
            ),
            models.Index(
                fields=["type", "created_at", "id"], condition=ACTIVE, name="tk_active_type"
            ),
            models.Index(fields=["vendor", "created_at", "id"], name="tk_vendor_age"),
            # A vendor agent's queue: the tickets with its vendor now (level "vendor").
            models.Index(
                fields=["vendor_now", "created_at", "id"],
                condition=Q(vendor_now__isnull=False),
                name="tk_vendor_now",
            ),
            # A vendor's answer is matched by its case number (e-mail intake): without this,
            # every vendor mail read all of that vendor's tickets (230 ms at 75k of 1M).
            models.Index(
                fields=["vendor", "vendor_reference"],
                condition=~Q(vendor_reference=""),
                name="tk_vendor_reference",
            ),
            # Any state (including resolved and closed), and the requester's own list.
            models.Index(fields=["state", "created_at", "id"], name="tk_state_age"),
            models.Index(fields=["created_at", "id"], name="tk_age"),
            models.Index(fields=["requester", "created_at", "id"], name="tk_requester_age"),
            models.Index(fields=["organisation", "created_at", "id"], name="tk_org_age"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def is_active(self) -> bool:
        return self.state_category in ACTIVE_CATEGORIES

    @property
    def in_referral(self) -> bool:
        return self.referral_team_id is not None


class SenderRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    VENDOR = "vendor", _("Vendor")
    SYSTEM = "system", _("System")


class ArticleKind(models.TextChoices):
    PORTAL = "portal", _("Portal")
    WEB = "web", _("Reply")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    NOTE = "note", _("Note")
    SYSTEM = "system", _("System")


class Article(models.Model):
    """One message on a ticket: what a customer wrote, an agent's reply, a note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="articles")
    kind = models.CharField(_("kind"), max_length=20, choices=ArticleKind.choices)
    sender_role = models.CharField(_("sender"), max_length=20, choices=SenderRole.choices)
    internal = models.BooleanField(_("internal"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("author"),
    )
    # The vendor a vendor-side article belongs to (its agents' notes, its mail, its answer):
    # another vendor escalated to later must not read it.
    vendor = models.ForeignKey(
        "accounts.Vendor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vendor"),
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(_("HTML (sanitised)"), blank=True)
    created_at = models.DateTimeField(_("created"))
    # E-mail threading (R2): the Message-ID of this article's mail, in or out.
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    email_from = models.CharField(max_length=500, blank=True)
    email_to = models.TextField(blank=True)
    email_cc = models.TextField(blank=True)
    # The mail must never be answered automatically (RFC 3834: a null return path, or an
    # automatic message an administrator let through): no acknowledgement goes out for it.
    no_auto_response = models.BooleanField(
        _("no automatic answer"), default=False, db_default=False
    )
    # Mail from a staff or vendor agent address that the receiving server did not verify: kept
    # for the agents with a warning, never in that person's name (see docs/email.md).
    sender_unverified = models.BooleanField(
        _("sender not verified"), default=False, db_default=False
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="article_ticket_time"),
            # The tickets a vendor worked on (its read-only list after hand-back).
            models.Index(
                fields=["vendor", "ticket"],
                condition=Q(vendor__isnull=False),
                name="article_vendor_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.ticket_id}/{instance.sha256[:16]}/{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)  # an e-mail part's Content-ID
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class EventAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    ARTICLE_ADDED = "article_added", _("Message added")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    ESCALATED = "escalated", _("Escalated")
    HANDED_BACK = "handed_back", _("Handed back")
    FORWARDED = "forwarded", _("Forwarded")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    GUIDE_ANSWERED = "guide_answered", _("Guide answered")
    ACTION_ASSIGNED = "action_assigned", _("Action assigned")
    ACTION_COMPLETED = "action_completed", _("Action completed")
    CLOCK_PAUSED = "clock_paused", _("Service-level clock paused")
    CLOCK_RESUMED = "clock_resumed", _("Service-level clock resumed")
    TREE_WALKED = "tree_walked", _("Decision tree walked")
    PROBLEM_LINKED = "problem_linked", _("Linked to a problem")
    PROBLEM_UNLINKED = "problem_unlinked", _("Unlinked from a problem")
    ARTICLE_DRAFTED = "article_drafted", _("Solution drafted as an article")


class TicketEvent(models.Model):
    """One step in a ticket's append-only, hash-chained history (R25).

    ``hash`` is an HMAC-SHA256, under the history key ``key_id`` names, of this event's content
    and the previous event's hash, so any edit or deletion breaks the chain and only a holder
    of the key could mend it; ``manage.py verify_history`` finds the first broken link. The
    database refuses UPDATE and DELETE of these rows (a trigger, migration 0011).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"))
    action = models.CharField(_("what"), max_length=30, choices=EventAction.choices)
    field = models.CharField(_("field"), max_length=50, blank=True)
    old_value = models.TextField(_("from"), blank=True)
    new_value = models.TextField(_("to"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=8, blank=True, default="")  # empty: never signed

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="event_unique_seq")]

    def __str__(self) -> str:
        return f"#{self.ticket_id}.{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Ticket events are append-only.")


class HistorySeal(models.Model):
    """The heads of the ticket histories at one moment, kept so rolling a history back is found.

    A seal covers every event up to ``last_event_id``. ``buckets`` maps each block of
    ``SEAL_BLOCK`` ticket ids whose history grew since the previous seal (the first seal: all)
    to the SHA-256 of its tickets' heads as of ``last_event_id``; ``hash`` is an HMAC under the
    history key ``key_id`` of all that and the previous seal's hash. Append-only in the
    database, like the events (see ``tickets/history/seals.py``).
    """

    number = models.PositiveIntegerField(unique=True)
    sealed_at = models.DateTimeField()
    last_event_id = models.BigIntegerField()
    tickets = models.PositiveIntegerField()
    buckets = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=8)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("history seal")
        verbose_name_plural = _("history seals")

    def __str__(self) -> str:
        return f"seal {self.number} @ event {self.last_event_id}"


class SavedView(models.Model):
    """A named set of queue filters (R16)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="savedview_unique")]

    def __str__(self) -> str:
        return self.name
