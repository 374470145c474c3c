"""System checks for settings that would otherwise fail quietly at request time."""

from django.conf import settings
from django.core import checks

from .clients import networks_parse


@checks.register(checks.Tags.security)
def health_allow_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """``AYUDA_HEALTH_DETAIL_ALLOW`` must be addresses or CIDR blocks."""
    _, invalid = networks_parse(settings.AYUDA_HEALTH_DETAIL_ALLOW)
    if not invalid:
        return []
    return [
        checks.Error(
            f"AYUDA_HEALTH_DETAIL_ALLOW holds entries that are not addresses or CIDR blocks: "
            f"{', '.join(invalid)}.",
            hint="Use comma-separated entries such as 10.0.0.0/8 or 2001:db8::1.",
            id="core.E001",
        )
    ]
