"""The delivery log of outgoing mail, with "send again" for failed and bounced messages."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ayuda.core.admin import LargeTableAdmin

from .models import OutgoingMessage


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(LargeTableAdmin):
    list_display = ("created_at", "kind", "to_address", "subject", "status", "attempts", "sent_at")
    # A date filter rather than a date hierarchy: the hierarchy reads every row for its dates.
    list_filter = ("status", "kind", "language", "created_at")
    search_fields = ("to_address", "subject", "message_id")
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the delivery log is not edited

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_outgoingmessage")

    @admin.action(description=_("Send again"), permissions=["resend"])
    def send_again(self, request, queryset):
        from .services import outgoing_retry_now
        from .tasks import outgoing_send

        for message in queryset:
            outgoing_retry_now(message_pk=message.pk)
            outgoing_send.delay(message.pk)
        self.message_user(request, _("Queued to be sent again."), messages.SUCCESS)
