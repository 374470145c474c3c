"""A small fixed-window rate limit on the cache, for log-ins and public forms.

With several web processes the cache must be shared (``CACHE_URL``, Redis): the database
cache works across processes too, but its increments are not atomic, so concurrent attempts
may be undercounted a little.
"""

from django.core.cache import cache

from .clients import client_ip  # noqa: F401  (kept here for existing callers)


def reached(key: str, *, limit: int) -> bool:
    """Whether ``key`` has used up its attempts (without counting one)."""
    return (cache.get(f"ratelimit:{key}") or 0) >= limit


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt under ``key``; True if the limit is now exceeded."""
    cache_key = f"ratelimit:{key}"
    added = cache.add(cache_key, 1, timeout=window_seconds)
    if added:
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        count = 1
    return count > limit
