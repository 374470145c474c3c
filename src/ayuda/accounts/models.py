"""Who works with Ayuda: users and their roles, organisations, sites, teams and vendors."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    SITE_ADMIN = "site_admin", _("Site admin")
    AGENT_L1 = "agent_l1", _("Level 1 agent")
    AGENT_L2 = "agent_l2", _("Level 2 specialist")
    VENDOR_AGENT = "vendor_agent", _("Vendor agent")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


CUSTOMER_ROLES = frozenset({Role.REQUESTER, Role.SITE_ADMIN})
HELPDESK_ROLES = frozenset({Role.AGENT_L1, Role.AGENT_L2, Role.MANAGER, Role.ADMIN})
STAFF_ROLES = HELPDESK_ROLES | {Role.VENDOR_AGENT}


class Level(models.TextChoices):
    """Support levels (R8). Level 0 is the customer's own first filter (site admins)."""

    L0 = "0", _("Level 0")
    L1 = "1", _("Level 1")
    L2 = "2", _("Level 2")
    VENDOR = "vendor", _("Vendor")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; mail from these domains belongs to this organisation."),
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    share_contact_with_vendors = models.BooleanField(
        _("Share requesters’ contact details with vendors"),
        default=False,
        help_text=_(
            "Vendor agents see the e-mail address and phone number of this organisation’s "
            "requesters on the tickets escalated to them. Otherwise they see names only."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def domain_list(self) -> list[str]:
        return [d.strip().lower() for d in self.email_domains.split(",") if d.strip()]


class Site(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sites", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Empty: the organisation's. Days of counts and scans end at its midnight."),
    )
    opening_hours = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        help_text=_(
            'Per weekday, the ranges it is open, e.g. {"mon": [["09:00", "21:00"]]}. '
            "Empty: open every day."
        ),
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} / {self.name}"

    def timezone_name(self) -> str:
        """The site's own time zone, or its organisation's."""
        return self.timezone or self.organisation.timezone


class Vendor(models.Model):
    """An outside supplier's second-line support (R10)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    email = models.EmailField(_("support e-mail"), blank=True)
    case_number_pattern = models.CharField(
        _("case number pattern"),
        max_length=200,
        blank=True,
        help_text=_("Regular expression that finds the vendor's own case number in its mail."),
    )
    sla_description = models.TextField(_("service level agreement"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", "English"), ("es", "Español"), ("it", "Italiano")],
        default="en",
        help_text=_("The language of the mail Ayuda sends to this vendor."),
    )

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    level = models.CharField(_("support level"), max_length=8, choices=Level.choices)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REQUESTER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="admins",
        verbose_name=_("administered sites"),
        help_text=_("The sites a site admin looks after."),
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("teams")
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        verbose_name=_("vendor"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", "English"), ("es", "Español"), ("it", "Italiano")],
        default="en",
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Mail intake finds senders by address, whatever its case.
        indexes = [models.Index(Lower("email"), name="user_email_lower")]

    @property
    def is_customer(self) -> bool:
        return self.role in CUSTOMER_ROLES

    @property
    def is_helpdesk(self) -> bool:
        return self.role in HELPDESK_ROLES

    @property
    def is_vendor_agent(self) -> bool:
        return self.role == Role.VENDOR_AGENT

    @property
    def is_agent(self) -> bool:
        """Works in the agent workspace (help desk staff and vendor agents)."""
        return self.role in STAFF_ROLES

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self) -> str:
        return self.get_full_name() or self.email or self.username


class TokenScope(models.TextChoices):
    """What an API token may do (docs/api.md). Its user's role still decides on each ticket."""

    READ = "read", _("Read")
    WRITE = "write", _("Write")
    ADMIN = "admin", _("Administer")
    DEVICES = "devices", _("Devices")


class ApiToken(models.Model):
    """A personal access token for the REST API (R5). The secret is shown once, when the token
    is created; only its SHA-256 is kept, found by the public ``prefix`` it starts with."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=20, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
