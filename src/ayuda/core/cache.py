"""Short-lived caching of small configuration lists (teams, sites, categories, agents…).

Every workspace page shows them in select boxes; loading them costs more than the queue
itself. They are cached for ``AYUDA_LOOKUP_CACHE_SECONDS`` under a version number that the
admin bumps on every save, so an administrator's change shows at once and anything else
(a script, the shell) within the time limit.

Each process also keeps the lists it has read, under the same key: a request then costs one
small read (the version) instead of one read and one unpickling per list. The version is a
fresh token each time, never a counter, so a cache that was emptied (a Redis restart, a
test's rollback) cannot bring back a version number whose lists a process still holds.

A list whose objects carry text in the reader's language (the categories' translated paths,
``web/agent/lookups.py``) is cached once per language: put the language in its ``name``.

Within a request (``LookupsRequestMiddleware``) the version is read once, however many lists
the request uses: the portal's ticket form, the ticket services' default state and the
workspace's select boxes share one read.
"""

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "lookups:version"
LOCAL_MAX_ENTRIES = 64

# key -> (expires at, on time.monotonic(); the list)
_local: dict[str, tuple[float, list]] = {}


# The version as this request read it (None outside a request scope: read it every time).
_request_version: ContextVar[list[str] | None] = ContextVar("lookups_request", default=None)


def _token() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def request_scope() -> Iterator[None]:
    """Read the version at most once until the block ends (one request)."""
    scope = _request_version.set([])
    try:
        yield
    finally:
        _request_version.reset(scope)


def lookups_version() -> str:
    held = _request_version.get()
    if held:
        return held[0]
    version = cache.get_or_set(VERSION_KEY, _token, timeout=None)
    if held is not None:
        held.append(version)
    return version


def lookups_changed() -> None:
    """Forget every cached list (call after changing teams, sites, categories, users…)."""
    version = _token()
    cache.set(VERSION_KEY, version, timeout=None)
    held = _request_version.get()
    if held is not None:
        held[:] = [version]


def cached_list[T](
    name: str, load: Callable[[], list[T]], *, version: str | None = None
) -> list[T]:
    """``load()``'s list, from the cache when it is there. Pass ``version`` (read once with
    ``lookups_version()``) when loading several lists for one request."""
    seconds = settings.AYUDA_LOOKUP_CACHE_SECONDS
    if not seconds:
        return load()
    key = f"lookups:{version or lookups_version()}:{name}"
    now = time.monotonic()
    held = _local.get(key)
    if held is not None and held[0] > now:
        return held[1]
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, timeout=seconds)
    if len(_local) >= LOCAL_MAX_ENTRIES:
        _local.clear()  # old versions' lists; the current ones come back on the next read
    _local[key] = (now + seconds, value)
    return value
