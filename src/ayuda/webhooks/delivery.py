"""Sending deliveries: claim, sign, POST to the checked address, log, retry, disable.

A batch of deliveries is sent concurrently by a bounded thread pool
(``AYUDA_WEBHOOK_CONCURRENCY``); the database work is a few set-based queries per batch. A
failed attempt is retried with exponential back-off (``AYUDA_WEBHOOK_RETRY_BASE_SECONDS``,
doubling, at most ``AYUDA_WEBHOOK_RETRY_MAX_SECONDS`` apart) until the delivery is
``AYUDA_WEBHOOK_RETRY_FOR_SECONDS`` (a day) old; a subscription whose every attempt has
failed for that long is disabled and its owner told.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.core.errors import AyudaError, ValidationError

from . import guard, signing, transport
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Subscription

logger = logging.getLogger(__name__)

CLAIMABLE = [DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING]


def backoff(attempts: int) -> timedelta:
    base = settings.AYUDA_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.AYUDA_WEBHOOK_RETRY_MAX_SECONDS)
    )


def _claim(ids: list[int], now: datetime, *, replay: bool) -> list[Delivery]:
    """Mark the deliveries this worker sends now (one UPDATE); others are left alone: sent,
    given up, not due, or being sent by another worker right now."""
    busy = Q(status=DeliveryStatus.SENDING, next_attempt_at__gt=now)
    if replay:
        due = ~busy
    else:
        due = Q(status=DeliveryStatus.PENDING) | Q(status__in=CLAIMABLE, next_attempt_at__lte=now)
    with transaction.atomic():
        rows = Delivery.objects.filter(Q(pk__in=ids) & due)
        before = {
            pk: (status, next_at)
            for pk, status, next_at in rows.select_for_update(skip_locked=True).values_list(
                "pk", "status", "next_attempt_at"
            )
        }
        claimed = list(before)
        if not claimed:
            return []
        Delivery.objects.filter(pk__in=claimed).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=settings.AYUDA_WEBHOOK_SENDING_TIMEOUT),
        )
    deliveries = list(Delivery.objects.filter(pk__in=claimed).select_related("subscription"))
    for delivery in deliveries:
        delivery.before = before[delivery.pk]  # a failed replay puts it back as it was
    return deliveries


def _send_one(
    delivery: Delivery, target: guard.Target | AyudaError, secret: str
) -> transport.Outcome:
    if isinstance(target, AyudaError):  # refused before any connection
        return transport.Outcome(None, "", target.message[:500], 0)
    body = delivery.body.encode()
    headers = signing.headers(
        secret=secret,
        message_id=delivery.message_id,
        timestamp=int(time.time()),
        body=body,
    )
    return transport.post(target, body=body, headers=headers)


def _targets(deliveries: list[Delivery]) -> dict[str, guard.Target | AyudaError]:
    """Each URL resolved and checked once per batch, at send time (after DNS)."""
    found: dict[str, guard.Target | AyudaError] = {}
    for delivery in deliveries:
        url = delivery.subscription.url
        if url not in found:
            try:
                found[url] = guard.target_resolve(url)
            except ValidationError as exc:
                found[url] = exc
    return found


def _next(delivery: Delivery, now: datetime) -> tuple[str, datetime | None]:
    """After a failed attempt: when to try again, or give up."""
    end = delivery.created_at + timedelta(seconds=settings.AYUDA_WEBHOOK_RETRY_FOR_SECONDS)
    if now >= end:
        return DeliveryStatus.FAILED, None
    return DeliveryStatus.RETRYING, min(now + backoff(delivery.attempts), end)


def deliveries_send(
    *, delivery_ids: list[int], now: datetime | None = None, replay: bool = False
) -> list[Delivery]:
    """Send the given deliveries that are due (``replay``: whatever their state, once, no
    retry). Safe to call twice: a delivery being sent or sent is not sent again."""
    now = now or timezone.now()
    deliveries = _claim(delivery_ids, now, replay=replay)
    if not deliveries:
        return []
    inactive = [d for d in deliveries if not d.subscription.is_active]
    if inactive:
        Delivery.objects.filter(pk__in=[d.pk for d in inactive]).update(
            status=DeliveryStatus.CANCELLED, next_attempt_at=None
        )
    deliveries = [d for d in deliveries if d.subscription.is_active]
    targets = _targets(deliveries)
    secrets = {d.subscription_id: d.subscription.secret for d in deliveries}  # decrypted once
    workers = max(1, min(settings.AYUDA_WEBHOOK_CONCURRENCY, len(deliveries)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(
            pool.map(
                lambda d: _send_one(d, targets[d.subscription.url], secrets[d.subscription_id]),
                deliveries,
            )
        )
    addresses = [getattr(targets[d.subscription.url], "address", "") for d in deliveries]
    return _record(deliveries, outcomes, addresses, now=now, replay=replay)


def _record(
    deliveries: list[Delivery],
    outcomes: list[transport.Outcome],
    addresses: list[str],
    *,
    now: datetime,
    replay: bool,
) -> list[Delivery]:
    attempts, health = [], {}
    for delivery, outcome, address in zip(deliveries, outcomes, addresses, strict=True):
        ok = outcome.ok
        error = outcome.error or (
            "" if ok else _("HTTP status %(code)s") % {"code": outcome.status_code}
        )
        attempts.append(
            DeliveryAttempt(
                delivery=delivery,
                number=delivery.attempts,
                at=now,
                duration_ms=outcome.duration_ms,
                address=address,
                status_code=outcome.status_code,
                error=error[:500],
                response_body=outcome.body,
                replay=replay,
            )
        )
        delivery.last_status_code = outcome.status_code
        delivery.last_error = error[:500]
        if ok:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.DELIVERED, None
            delivery.delivered_at = now
        elif replay:
            delivery.status, delivery.next_attempt_at = delivery.before
            if delivery.status == DeliveryStatus.SENDING:
                delivery.status = DeliveryStatus.RETRYING
        else:
            delivery.status, delivery.next_attempt_at = _next(delivery, now)
        if not replay or ok:
            # A subscription fails from the first event it could not deliver on.
            sub = delivery.subscription
            _sub, any_ok, first, last_error = health.get(sub.pk, (sub, False, now, error))
            health[sub.pk] = (
                sub,
                any_ok or ok,
                first if ok else min(first, delivery.created_at),
                last_error if ok else error,
            )
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(attempts, batch_size=500)
        # One UPDATE per distinct outcome (a batch has a few), not a CASE per row.
        by_outcome: dict[tuple, list[int]] = {}
        for d in deliveries:
            key = (d.status, d.next_attempt_at, d.last_status_code, d.last_error, d.delivered_at)
            by_outcome.setdefault(key, []).append(d.pk)
        for (status, next_at, code, error, delivered_at), pks in by_outcome.items():
            Delivery.objects.filter(pk__in=pks).update(
                status=status,
                next_attempt_at=next_at,
                last_status_code=code,
                last_error=error,
                delivered_at=delivered_at,
            )
    for subscription, any_ok, first, error in health.values():
        _health_record(subscription, ok=any_ok, since=first, error=error, now=now)
    return deliveries


def _health_record(
    subscription: Subscription, *, ok: bool, since: datetime, error: str, now: datetime
) -> None:
    """A success clears the subscription's failing run; failures for a day disable it."""
    from .services import subscription_disable

    rows = Subscription.objects.filter(pk=subscription.pk)
    if ok:
        if subscription.failing_since is not None:
            rows.update(failing_since=None)
        return
    rows.filter(failing_since__isnull=True).update(failing_since=since)
    since = rows.values_list("failing_since", flat=True).first()
    limit = timedelta(seconds=settings.AYUDA_WEBHOOK_DISABLE_AFTER_SECONDS)
    if since is not None and now - since >= limit:
        reason = _("Every attempt failed since %(since)s; last: %(error)s") % {
            "since": since.isoformat(timespec="seconds"),
            "error": error,
        }
        subscription_disable(subscription=subscription, reason=reason)
        logger.warning("Webhook subscription %s disabled: %s", subscription.pk, reason)


def due_ids(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Deliveries to (re)send now: retries that are due, and what a lost task left."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status__in=CLAIMABLE, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def delivery_replay_check(*, delivery: Delivery) -> None:
    if not delivery.subscription.is_active:
        raise ValidationError(_("Turn the subscription back on before replaying its deliveries."))
