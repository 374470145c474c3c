"""A small fixed-window rate limit on the cache, for log-ins and public forms."""

from django.core.cache import cache


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


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")
