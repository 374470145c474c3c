"""Administrators configure mailboxes and look after mail that did not become a ticket."""

import re

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ayuda.core.admin import LargeTableAdmin

from .email.authentication import authserv_ids_parse
from .models import InboundMail, InboundMailStatus, Mailbox

AUTHSERV_ID = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,252}[a-z0-9])?")


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = (
            "name", "email_address", "is_active", "host", "port", "security", "username",
            "folder", "processed_folder", "team", "category", "language", "unknown_senders",
            "non_participant_replies", "authserv_ids",
        )  # fmt: skip

    # The stored password goes with the server it was given for: pointing the mailbox at
    # another server (or dropping the encryption) without typing it again would hand it to
    # that server.
    PASSWORD_BOUND_TO = ("host", "port", "security", "username")

    def clean_authserv_ids(self) -> str:
        ids = authserv_ids_parse(self.cleaned_data.get("authserv_ids", ""))
        wrong = [i for i in ids if not AUTHSERV_ID.fullmatch(i)]
        if wrong:
            raise forms.ValidationError(
                _("“%(id)s” is not a server name. Write the authserv-id as the header shows it, "
                  "e.g. mx.example.com; several separated by commas.") % {"id": wrong[0]}
            )  # fmt: skip
        return ", ".join(ids)

    def clean(self):
        cleaned = super().clean()
        moved = [name for name in self.PASSWORD_BOUND_TO if name in self.changed_data]
        if self.instance.pk and moved and not cleaned.get("password"):
            self.add_error(
                "password",
                _("Type the password again: the server, port, security or user name changed."),
            )
        return cleaned

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("password"):
            mailbox.set_password(self.cleaned_data["password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "email_address", "host", "folder", "is_active", "last_polled_at",
                    "status")  # fmt: skip
    list_filter = ("is_active",)
    search_fields = ("name", "email_address", "host")
    readonly_fields = ("last_polled_at", "last_error")
    fieldsets = (
        (None, {"fields": ("name", "email_address", "is_active")}),
        (
            _("Server"),
            {
                "fields": (
                    "host",
                    "port",
                    "security",
                    "username",
                    "password",
                    "folder",
                    "processed_folder",
                )
            },
        ),
        (_("New tickets"), {"fields": ("team", "category", "language")}),
        (
            _("Policies"),
            {"fields": ("unknown_senders", "non_participant_replies", "authserv_ids")},
        ),
        (_("Polling"), {"fields": ("last_polled_at", "last_error")}),
    )
    actions = ["test_connection", "poll_now"]

    @admin.display(description=_("status"))
    def status(self, obj: Mailbox) -> str:
        return obj.last_error[:80] if obj.last_error else _("OK")

    @admin.action(description=_("Test the connection"), permissions=["change"])
    def test_connection(self, request, queryset):
        from .email.imap import imap_connect

        for mailbox in queryset:
            try:
                with imap_connect(mailbox, timeout=10) as client:
                    info = client.select_folder(mailbox.folder, readonly=True)
                self.message_user(
                    request,
                    _("%(name)s: connected, %(n)s messages in %(folder)s.")
                    % {"name": mailbox.name, "n": info.get(b"EXISTS", 0), "folder": mailbox.folder},
                    messages.SUCCESS,
                )
            except Exception as exc:
                self.message_user(
                    request,
                    _("%(name)s: %(error)s") % {"name": mailbox.name, "error": exc},
                    messages.ERROR,
                )

    @admin.action(description=_("Poll now"), permissions=["change"])
    def poll_now(self, request, queryset):
        from .tasks import mailbox_poll

        for mailbox in queryset:
            mailbox_poll.delay(mailbox.pk)
        self.message_user(request, _("Polling started; refresh in a moment."), messages.SUCCESS)


@admin.register(InboundMail)
class InboundMailAdmin(LargeTableAdmin):
    list_display = ("received_at", "status", "from_address", "subject", "mailbox", "ticket_link",
                    "short_reason")  # fmt: skip
    # A date filter rather than a date hierarchy: the hierarchy reads every row for its dates.
    list_filter = ("status", "mailbox", "received_at")
    search_fields = ("subject", "from_address", "message_id")
    list_select_related = ("mailbox",)
    fields = ("status", "reason_shown", "mailbox", "from_address", "subject", "message_id",
              "ticket_link", "article", "attempts", "received_at", "processed_at", "size",
              "original")  # fmt: skip
    readonly_fields = fields
    actions = ["retry", "release_new_ticket", "release_append"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the record of what arrived is not edited, only acted upon

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("intake.change_inboundmail")

    def get_urls(self):
        return [
            path(
                "<int:pk>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="intake_inboundmail_raw",
            ),
            *super().get_urls(),
        ]

    def raw_view(self, request, pk):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        mail = get_object_or_404(InboundMail, pk=pk)
        response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="mail-{mail.pk}.eml"'
        return response

    @admin.display(description=_("original mail"))
    def original(self, obj: InboundMail) -> str:
        url = reverse("admin:intake_inboundmail_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download .eml"))

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: InboundMail) -> str:
        if obj.ticket_id is None:
            return "—"
        return format_html("#{}", obj.ticket_id)

    @admin.display(description=_("reason"))
    def short_reason(self, obj: InboundMail) -> str:
        return Truncator(obj.reason_text()).chars(100)

    @admin.display(description=_("reason"))
    def reason_shown(self, obj: InboundMail) -> str:
        return obj.reason_text()

    def _run(self, request, queryset, force: str):
        from .email.pipeline import inbound_mail_retry

        done, kept = 0, []
        for mail in queryset.exclude(status=InboundMailStatus.PROCESSED):
            row = inbound_mail_retry(mail_id=mail.pk, force=force)
            if row.status == InboundMailStatus.PROCESSED:
                done += 1
            else:
                kept.append(row)
        self.message_user(
            request,
            ngettext("%(n)d mail processed.", "%(n)d mails processed.", done) % {"n": done},
            messages.SUCCESS if done else messages.WARNING,
        )
        for row in kept:  # what is still kept, and why: the count alone leaves them guessing
            self.message_user(
                request,
                _("Incoming mail #%(id)d is still kept: %(reason)s")
                % {"id": row.pk, "reason": row.reason_text()},
                messages.WARNING,
            )

    @admin.action(description=_("Retry the selected mail"), permissions=["retry"])
    def retry(self, request, queryset):
        self._run(request, queryset, "")

    @admin.action(description=_("Release: open a new ticket from each"), permissions=["retry"])
    def release_new_ticket(self, request, queryset):
        self._run(request, queryset, "new_ticket")

    @admin.action(
        description=_("Release: add each to the ticket it answers"), permissions=["retry"]
    )
    def release_append(self, request, queryset):
        self._run(request, queryset, "append")


from .phone import admin as phone_admin  # noqa: E402, F401  (phone systems, imports, calls)
