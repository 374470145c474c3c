"""Short-lived caching of small configuration lists (teams, sites, categories, agents…).

Every workspace page shows them in select boxes; loading them costs more than the queue
itself. They are cached for ``AYUDA_LOOKUP_CACHE_SECONDS`` under a version number that the
admin bumps on every save, so an administrator's change shows at once and anything else
(a script, the shell) within the time limit.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "lookups:version"


def lookups_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def lookups_changed() -> None:
    """Forget every cached list (call after changing teams, sites, categories, users…)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def cached_list[T](
    name: str, load: Callable[[], list[T]], *, version: int | None = None
) -> list[T]:
    """``load()``'s list, from the cache when it is there. Pass ``version`` (read once with
    ``lookups_version()``) when loading several lists for one request."""
    seconds = settings.AYUDA_LOOKUP_CACHE_SECONDS
    if not seconds:
        return load()
    key = f"lookups:{version or lookups_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, timeout=seconds)
    return value
