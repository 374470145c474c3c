"""Problem records (R31) and bulletins (R21).

A problem groups related incidents for root-cause work: its tickets are linked to it (one
problem per ticket, ``ProblemLink``). A bulletin announces a known problem while it lasts: the
agreed answer for the front line, and an optional public notice for the portal and the
acknowledgements of matching new tickets. Resolving the problem or closing the bulletin is a
``ProblemUpdate``: a background job that resolves or updates every linked ticket, in batches,
once per ticket (``ProblemLink.last_update`` records which job reached it).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ayuda.core.i18n import translated

I18N_HELP = _('Translations, one per language: {"es": "…", "it": "…"}.')


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Investigating")
    KNOWN_ERROR = "known_error", _("Known error")
    RESOLVED = "resolved", _("Resolved")


class Problem(models.Model):
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    cause = models.TextField(_("root cause"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    fix = models.TextField(_("fix"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="problem_status_age")]

    def __str__(self) -> str:
        return self.title


class LinkVia(models.TextChoices):
    AGENT = "agent", _("Linked by an agent")
    REQUESTER = "requester", _("“This is my problem” in the portal")


class UpdateKind(models.TextChoices):
    RESOLVE = "resolve", _("Resolve the linked tickets")
    UPDATE = "update", _("Send an update to the linked tickets")


class ProblemUpdate(models.Model):
    """A message for every ticket linked to a problem, delivered in the background."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("problem")
    )
    bulletin = models.ForeignKey(
        "Bulletin",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bulletin"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=UpdateKind.choices)
    message = models.TextField(_("message"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total = models.PositiveIntegerField(_("tickets"), default=0)
    done = models.PositiveIntegerField(_("tickets done"), default=0)
    skipped = models.PositiveIntegerField(_("tickets skipped"), default=0)

    class Meta:
        verbose_name = _("problem update")
        verbose_name_plural = _("problem updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class ProblemLink(models.Model):
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="links", verbose_name=_("problem")
    )
    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="problem_link",
        verbose_name=_("ticket"),
    )
    via = models.CharField(_("linked"), max_length=10, choices=LinkVia.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    linked_at = models.DateTimeField(_("linked"))
    # The newest ProblemUpdate delivered to this ticket: a retried batch skips it.
    last_update = models.ForeignKey(
        ProblemUpdate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last update delivered"),
    )

    class Meta:
        verbose_name = _("linked ticket")
        verbose_name_plural = _("linked tickets")
        indexes = [models.Index(fields=["problem", "ticket"], name="problem_link_tickets")]

    def __str__(self) -> str:
        return f"{self.problem_id} #{self.ticket_id}"


class BulletinStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Bulletin(models.Model):
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="bulletins", verbose_name=_("problem")
    )
    title = models.CharField(_("title"), max_length=300)
    title_i18n = models.JSONField(
        _("title, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    agreed_answer = models.TextField(
        _("agreed answer"), help_text=_("What the front line tells a customer who calls about it.")
    )
    agreed_answer_i18n = models.JSONField(
        _("agreed answer, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown in the portal and added to the acknowledgement of matching tickets."),
    )
    public_notice = models.TextField(_("public notice"), blank=True)
    public_notice_i18n = models.JSONField(
        _("public notice, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    # Which new tickets it matches: none chosen means every one.
    categories = models.ManyToManyField(
        "tickets.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="+", verbose_name=_("organisations")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.ACTIVE
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Hidden after this time even if open.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["starts_at"], condition=Q(status="active"), name="bulletin_active")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return translated(self.title_i18n, self.title)

    @property
    def display_agreed_answer(self) -> str:
        return translated(self.agreed_answer_i18n, self.agreed_answer)

    @property
    def display_public_notice(self) -> str:
        return translated(self.public_notice_i18n, self.public_notice)
