"""Subscriptions: create, change, enable, disable, new secret (administrators only)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, User
from ayuda.core.crypto import encrypt
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets.models import TicketEvent

from . import guard, signing
from .models import Delivery, DeliveryStatus, EventType, Subscription

OWNER_ROLES = frozenset({Role.ADMIN, Role.SITE_ADMIN, Role.REQUESTER})


def is_webhook_admin(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.role == Role.ADMIN or user.is_superuser)
    )


def _admin_check(actor: User) -> None:
    if not is_webhook_admin(actor):
        raise PermissionDeniedError(_("Only administrators manage webhooks."))


def _owner_check(owner: User) -> None:
    if not owner.is_active or owner.role not in OWNER_ROLES:
        raise ValidationError(
            _(
                "The owner must be an active administrator (every ticket) or an "
                "organisation's requester or site admin (their own tickets)."
            ),
            field="owner",
        )


def _event_types_check(event_types: list[str]) -> list[str]:
    valid = set(EventType.values)
    chosen = [t for t in EventType.values if t in set(event_types or [])]
    if not chosen or set(event_types) - valid:
        raise ValidationError(_("Choose at least one of the listed events."), field="event_types")
    return chosen


def _name_check(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the subscription a name."), field="name")
    return name[:100]


def _last_event_id() -> int:
    return TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@transaction.atomic
def subscription_create(
    *, actor: User, name: str, url: str, event_types: list[str], owner: User
) -> tuple[Subscription, str]:
    """A new subscription and its secret (``whsec_…``), to show the administrator once.
    It hears about events from now on."""
    _admin_check(actor)
    _owner_check(owner)
    secret = signing.secret_new()
    subscription = Subscription.objects.create(
        name=_name_check(name),
        url=guard.url_check(url),
        event_types=_event_types_check(event_types),
        owner=owner,
        secret_encrypted=encrypt(secret),
        start_event_id=_last_event_id(),
    )
    return subscription, secret


@transaction.atomic
def subscription_update(
    *,
    actor: User,
    subscription: Subscription,
    name: str,
    url: str,
    event_types: list[str],
    owner: User,
) -> Subscription:
    _admin_check(actor)
    _owner_check(owner)
    subscription.name = _name_check(name)
    subscription.url = guard.url_check(url)
    subscription.event_types = _event_types_check(event_types)
    subscription.owner = owner
    subscription.save()
    return subscription


@transaction.atomic
def subscription_enable(*, actor: User, subscription: Subscription) -> Subscription:
    """Turn a subscription back on. It hears about events from now on; what it missed while
    off can be replayed from the log or read from the API's history feed."""
    _admin_check(actor)
    if subscription.is_active:
        return subscription
    guard.url_check(subscription.url)
    subscription.is_active = True
    subscription.failing_since = None
    subscription.disabled_at = None
    subscription.disabled_reason = ""
    subscription.start_event_id = _last_event_id()
    subscription.save()
    return subscription


def subscription_disable(
    *, subscription: Subscription, reason: str, actor: User | None = None
) -> Subscription:
    """Turn a subscription off (``actor`` None: Ayuda itself, after a day of failures); what
    it still had to send is kept in the log as not sent, replayable."""
    if actor is not None:
        _admin_check(actor)
    with transaction.atomic():
        changed = Subscription.objects.filter(pk=subscription.pk, is_active=True).update(
            is_active=False, disabled_at=timezone.now(), disabled_reason=reason[:500]
        )
        Delivery.objects.filter(
            subscription=subscription,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
        ).update(status=DeliveryStatus.CANCELLED, next_attempt_at=None)
    subscription.refresh_from_db()
    if changed and actor is None:
        from .notices import owner_tell_disabled

        owner_tell_disabled(subscription=subscription)
    return subscription


@transaction.atomic
def subscription_secret_rotate(*, actor: User, subscription: Subscription) -> str:
    """A new secret for the subscription, returned to be shown once; the old one stops."""
    _admin_check(actor)
    secret = signing.secret_new()
    subscription.secret_encrypted = encrypt(secret)
    subscription.save(update_fields=["secret_encrypted", "updated_at"])
    return secret
