"""Telling a subscription's owner it was disabled: a mail through the notifications app."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ayuda.notifications.services import notice_queue

from .models import Subscription


def owner_tell_disabled(*, subscription: Subscription) -> None:
    owner = subscription.owner
    link = settings.AYUDA_BASE_URL.rstrip("/") + reverse(
        "admin:webhooks_subscription_change", args=[subscription.pk]
    )
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        subject = _("Webhook “%(name)s” disabled") % {"name": subscription.name}
        body = _(
            "Ayuda could not deliver the webhook “%(name)s” to %(url)s for a day and has "
            "turned it off.\n\nLast error: %(reason)s\n\nWhat it could not send is kept in its "
            "delivery log. Once the receiver works again, an administrator can turn the "
            "subscription back on and replay what was missed: %(link)s"
        ) % {
            "name": subscription.name,
            "url": subscription.url,
            "reason": subscription.disabled_reason,
            "link": link,
        }
    notice_queue(
        user=owner,
        subject=subject,
        body=body,
        dedup_key=f"webhook-disabled:{subscription.pk}:{subscription.disabled_at.isoformat()}",
    )
