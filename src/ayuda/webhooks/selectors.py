"""Reads for the admin and the API: subscriptions and their delivery log."""

from django.db.models import QuerySet

from .models import Delivery, DeliveryAttempt, Subscription


def subscription_list() -> QuerySet[Subscription]:
    return Subscription.objects.select_related("owner").order_by("name", "id")


def delivery_list(*, subscription: Subscription | None = None) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.select_related("subscription").order_by("-created_at", "-id")
    if subscription is not None:
        deliveries = deliveries.filter(subscription=subscription)
    return deliveries


def attempt_list(*, delivery: Delivery) -> QuerySet[DeliveryAttempt]:
    return DeliveryAttempt.objects.filter(delivery=delivery).order_by("number", "id")
