"""Time zones named in data (a site's, a user's, a calendar's)."""

from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=256)
def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC when it is empty or not a zone this machine knows (a name
    in the data must never stop the work that reads it)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")
