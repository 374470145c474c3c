"""Webhook subscriptions and their delivery log over the REST API (administrators only).

``router`` is a django-ninja ``Router``; the API app mounts it (with its token auth) if it
is there. ``router_make`` builds a fresh one (a router belongs to one API; the tests mount
their own). Every operation calls the same services and selectors as the admin.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from ayuda.accounts.models import User
from ayuda.api.auth import require_scope
from ayuda.api.problems import ERRORS, WRITE_ERRORS
from ayuda.core.errors import AyudaError, PermissionDeniedError

from . import selectors, services
from .delivery import delivery_replay_check
from .models import Delivery, Subscription

PAGE = 100


class SubscriptionIn(Schema):
    name: str
    url: str
    event_types: list[str]
    owner_id: int | None = None  # default: the caller


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    owner_id: int
    is_active: bool
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str  # shown once


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event_id: int | None
    event_type: str
    message_id: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


class Message(Schema):
    detail: str


def _caller(request, *, write: bool = False) -> User:
    """The administrator calling: the token's user (``request.auth``) or the session's.
    Writes need the ``admin`` scope, as the API's other administrator writes do (the API's
    auth sets ``request.api_scopes``; a router mounted with plain session auth has none)."""
    auth = getattr(request, "auth", None)
    user = auth if isinstance(auth, User) else getattr(auth, "user", None) or request.user
    if not services.is_webhook_admin(user):
        raise HttpError(403, _("Only administrators manage webhooks."))
    if write and hasattr(request, "api_scopes"):
        require_scope(request, "admin")
    return user


def _refused(exc: AyudaError) -> HttpError:
    return HttpError(403 if isinstance(exc, PermissionDeniedError) else 422, exc.message)


def router_make() -> Router:
    router = Router(tags=["webhooks"])

    @router.get(
        "/subscriptions",
        response={200: list[SubscriptionOut], **ERRORS},
        url_name="subscription_list",
    )
    def subscription_list(request):
        _caller(request)
        return list(selectors.subscription_list())

    @router.post(
        "/subscriptions",
        response={201: SubscriptionCreated, **WRITE_ERRORS},
        url_name="subscription_list",  # the list's route: one URL name per route
    )
    def subscription_create(request, data: SubscriptionIn):
        actor = _caller(request, write=True)
        owner = actor
        if data.owner_id is not None:
            owner = User.objects.filter(pk=data.owner_id).first()
            if owner is None:
                raise HttpError(422, _("No such user."))
        try:
            subscription, secret = services.subscription_create(
                actor=actor,
                name=data.name,
                url=data.url,
                event_types=data.event_types,
                owner=owner,
            )
        except AyudaError as exc:
            raise _refused(exc) from None
        shown = SubscriptionOut.model_validate(subscription).model_dump()
        return Status(201, SubscriptionCreated(**shown, secret=secret))

    @router.delete("/subscriptions/{subscription_id}", response={204: None, **ERRORS})
    def subscription_delete(request, subscription_id: int):
        _caller(request, write=True)
        get_object_or_404(Subscription, pk=subscription_id).delete()
        return Status(204, None)

    @router.get(
        "/subscriptions/{subscription_id}/deliveries",
        response={200: list[DeliveryOut], **ERRORS},
    )
    def delivery_list(request, subscription_id: int, before: int | None = None):
        """The newest deliveries first, 100 a page; ``before`` = the last id of a page."""
        _caller(request)
        subscription = get_object_or_404(Subscription, pk=subscription_id)
        deliveries = selectors.delivery_list(subscription=subscription).order_by("-id")
        if before is not None:
            deliveries = deliveries.filter(id__lt=before)
        return list(deliveries[:PAGE])

    @router.post("/deliveries/{delivery_id}/replay", response={202: Message, **WRITE_ERRORS})
    def delivery_replay(request, delivery_id: int):
        from .tasks import webhook_replay

        _caller(request, write=True)
        deliveries = Delivery.objects.select_related("subscription")
        delivery = get_object_or_404(deliveries, pk=delivery_id)
        try:
            delivery_replay_check(delivery=delivery)
        except AyudaError as exc:
            raise _refused(exc) from None
        webhook_replay.delay(delivery.pk)
        return Status(202, {"detail": _("Queued to be sent again.")})

    return router


router = router_make()
