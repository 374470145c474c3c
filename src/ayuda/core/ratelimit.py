"""Small fixed-window rate limits, for log-ins and public forms.

Two stores:

- ``hit`` / ``reached`` keep their counters in the cache (log-in failures). With several web
  processes the cache must be shared (``CACHE_URL``, Redis): the database cache works across
  processes too, but its increments are not atomic (a read, then a write), so concurrent
  attempts may be undercounted a little, and it costs several queries per attempt.
- ``counter_hit`` keeps its counter in the ``core_ratecounter`` table and counts with one
  atomic statement (an upsert that also starts a new window when the old one has passed). It
  is exact under concurrency, survives a cache flush, and joins the caller's transaction, so
  counting costs no commit of its own (the portal counts a ticket in the transaction that
  creates it).
"""

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .clients import client_ip  # noqa: F401  (kept here for existing callers)
from .models import RateCounter

COUNTER_HIT_SQL = (
    'INSERT INTO "core_ratecounter" ("key", "window_start", "hits") VALUES (%s, %s, 1) '
    'ON CONFLICT ("key") DO UPDATE SET '
    '"hits" = CASE WHEN "core_ratecounter"."window_start" > %s '
    'THEN "core_ratecounter"."hits" + 1 ELSE 1 END, '
    '"window_start" = CASE WHEN "core_ratecounter"."window_start" > %s '
    'THEN "core_ratecounter"."window_start" ELSE excluded."window_start" END '
    'RETURNING "hits"'
)


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


def counter_hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt under ``key`` in the database; True if the limit is now exceeded.

    One statement (PostgreSQL and SQLite both have ``INSERT … ON CONFLICT … RETURNING``): a
    first attempt inserts the row, a later one adds one, or starts a new window at 1 when the
    current window began ``window_seconds`` ago or more.
    """
    now = timezone.now()
    start = connection.ops.adapt_datetimefield_value(now)
    fresh_after = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=window_seconds))
    with connection.cursor() as cursor:
        cursor.execute(COUNTER_HIT_SQL, [key[:200], start, fresh_after, fresh_after])
        (hits,) = cursor.fetchone()
    return hits > limit


def counters_purge(*, older_than_seconds: int = 86400) -> int:
    """Delete counters whose window began longer ago than any window in use; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
