from ayuda.webhooks import services
from ayuda.webhooks.models import EventType


def subscription_make(*, admin, url, owner=None, event_types=None, name="Monitoring"):
    """A subscription through the real service; returns it and its secret."""
    return services.subscription_create(
        actor=admin,
        name=name,
        url=url,
        event_types=event_types or list(EventType.values),
        owner=owner or admin,
    )
