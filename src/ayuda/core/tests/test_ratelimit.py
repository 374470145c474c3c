"""The rate-limit counters kept in the database: one atomic statement per attempt."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ayuda.core import ratelimit
from ayuda.core.models import RateCounter

pytestmark = pytest.mark.django_db


def test_counter_allows_the_limit_then_refuses():
    # when
    answers = [ratelimit.counter_hit("form:7", limit=3, window_seconds=3600) for _ in range(5)]

    # then
    assert answers == [False, False, False, True, True]


def test_counters_of_different_keys_are_apart():
    # given
    for _ in range(3):
        ratelimit.counter_hit("form:7", limit=2, window_seconds=3600)

    # when
    other = ratelimit.counter_hit("form:8", limit=2, window_seconds=3600)

    # then
    assert other is False


def test_a_new_window_starts_from_one_when_the_old_one_has_passed():
    # given: the limit was used up an hour and a bit ago
    for _ in range(3):
        ratelimit.counter_hit("form:7", limit=2, window_seconds=3600)
    RateCounter.objects.filter(key="form:7").update(
        window_start=timezone.now() - timedelta(seconds=3601)
    )

    # when
    refused = ratelimit.counter_hit("form:7", limit=2, window_seconds=3600)

    # then
    assert refused is False
    assert RateCounter.objects.get(key="form:7").hits == 1


def test_counting_is_one_statement(django_assert_num_queries):
    # given
    ratelimit.counter_hit("form:7", limit=5, window_seconds=3600)

    # when / then
    with django_assert_num_queries(1):
        ratelimit.counter_hit("form:7", limit=5, window_seconds=3600)
    assert RateCounter.objects.get(key="form:7").hits == 2


def test_purge_forgets_counters_whose_window_has_passed():
    # given
    ratelimit.counter_hit("old", limit=5, window_seconds=60)
    ratelimit.counter_hit("fresh", limit=5, window_seconds=60)
    RateCounter.objects.filter(key="old").update(window_start=timezone.now() - timedelta(days=2))

    # when
    removed = ratelimit.counters_purge(older_than_seconds=86400)

    # then
    assert removed == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["fresh"]
