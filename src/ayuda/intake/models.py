"""How work arrives. E-mail: the polled mailboxes and the log of every mail taken from them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ayuda.accounts.models import Team
from ayuda.tickets.models import Article, Category, Ticket

from .reasons import reason_text


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (testing only)")


class UnknownSenderPolicy(models.TextChoices):
    ACCEPT = "accept", _("Accept: create a requester")
    REJECT = "reject", _("Reject: quarantine the mail")


class NonParticipantReplyPolicy(models.TextChoices):
    NEW_TICKET = "new_ticket", _("Open a new ticket")
    QUARANTINE = "quarantine", _("Quarantine the mail")


class Mailbox(models.Model):
    """An IMAP mailbox that Ayuda polls for new tickets and replies (R2)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    email_address = models.EmailField(
        _("address"),
        help_text=_("The address customers write to; mail from it is never taken in (loops)."),
    )
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=MailboxSecurity.choices, default=MailboxSecurity.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    processed_folder = models.CharField(
        _("move processed mail to"),
        max_length=255,
        blank=True,
        help_text=_("Optional folder; when empty, processed mail is flagged and left in place."),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("team")
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("category")
    )
    language = models.CharField(
        _("language of new requesters"),
        max_length=8,
        choices=[("en", "English"), ("es", "Español"), ("it", "Italiano")],
        default="en",
    )
    unknown_senders = models.CharField(
        _("unknown senders"),
        max_length=10,
        choices=UnknownSenderPolicy.choices,
        default=UnknownSenderPolicy.ACCEPT,
        help_text=_("Senders that match no user and no organisation's e-mail domain."),
    )
    non_participant_replies = models.CharField(
        _("replies from non-participants"),
        max_length=12,
        choices=NonParticipantReplyPolicy.choices,
        default=NonParticipantReplyPolicy.NEW_TICKET,
        help_text=_("A reply to a ticket from an address that is not taking part in it."),
    )
    authserv_ids = models.CharField(
        _("trusted authserv-ids"),
        max_length=500,
        blank=True,
        help_text=_(
            "The authserv-id your receiving mail server writes at the start of its "
            "Authentication-Results header (e.g. mx.example.com); several separated by commas. "
            "Mail from staff addresses is trusted only when such a header says DMARC passed, "
            "or DKIM or SPF passed for the sender's domain. Empty: no staff mail is trusted."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Poller bookkeeping.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email_address}>"

    def set_password(self, password: str) -> None:
        from ayuda.core.crypto import encrypt

        self.password_encrypted = encrypt(password) if password else ""

    def get_password(self) -> str:
        from ayuda.core.crypto import decrypt

        return decrypt(self.password_encrypted) if self.password_encrypted else ""


class InboundMailStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (auto-reply, bounce or loop)")
    QUARANTINED = "quarantined", _("Quarantined")
    FAILED = "failed", _("Failed")


class InboundMail(models.Model):
    """One mail taken from a mailbox, kept whole, with what became of it.

    The row is written in the same transaction as the ticket or article the mail made, and
    ``dedup_key`` is unique, so a mail is ingested at most once whatever crashes when; the mail
    is flagged on the server only after that commit, so it is ingested at least once.
    """

    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("mailbox"),
    )
    dedup_key = models.CharField(max_length=600, unique=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True, db_index=True)
    from_address = models.CharField(_("from"), max_length=500, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    digest = models.CharField(max_length=64, blank=True)
    raw = models.BinaryField(_("original mail"))
    size = models.PositiveIntegerField(_("size"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=InboundMailStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming mail")
        verbose_name_plural = _("incoming mail")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inmail_status_time"),
            models.Index(fields=["from_address", "received_at"], name="inmail_sender_time"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or _('(no subject)')} — {self.from_address}"

    def reason_text(self) -> str:
        """The reason in the reader's language (``ayuda.intake.reasons``)."""
        return reason_text(self.reason)


# Phone-system records live in their own module; Django finds them through this one.
from .phone.models import Call, CallHour, CallImport, CallSource  # noqa: E402, F401
