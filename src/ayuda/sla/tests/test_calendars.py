"""Business time on real calendars (R22): weekends, Spanish holidays, closing days, the DST
days in Madrid and New York, a night shift, several ranges a day, 24x7, a never-open calendar."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ayuda.sla.calendars import (
    CalendarNeverOpen,
    business_add,
    business_minutes,
    calendar_24x7,
    calendar_cache_clear,
    is_open,
    next_holidays,
)
from ayuda.sla.models import Calendar, ClosingDay

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def office(*, name="Madrid office", hours=(("09:00", "18:00"),), days=WEEKDAYS, **kwargs):
    return Calendar.objects.create(
        name=name,
        timezone=kwargs.pop("timezone", "Europe/Madrid"),
        hours={day: [list(r) for r in hours] for day in days},
        **kwargs,
    )


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def test_friday_evening_plus_two_business_hours_is_monday_ten():
    # given
    calendar = office()

    # when
    due = business_add(calendar, madrid(2026, 1, 16, 17, 0), 120)

    # then
    assert due == madrid(2026, 1, 19, 10, 0)
    assert due.tzinfo == UTC
    assert business_minutes(calendar, madrid(2026, 1, 16, 17, 0), due) == 120


def test_spanish_and_madrid_holidays_are_skipped():
    # given: 2026-01-06 Epiphany (Tuesday); 2026-05-01 Labour Day (Friday)
    calendar = office(holiday_country="ES", holiday_subdivision="MD")

    # when / then
    assert business_add(calendar, madrid(2026, 1, 5, 17, 0), 120) == madrid(2026, 1, 7, 10, 0)
    assert business_add(calendar, madrid(2026, 4, 30, 18, 0), 60) == madrid(2026, 5, 4, 10, 0)
    assert not is_open(calendar, madrid(2026, 1, 6, 12, 0))
    assert is_open(calendar, madrid(2026, 1, 7, 12, 0))
    # Thursday 2 April is Maundy Thursday in Madrid, not in Catalonia
    catalonia = office(name="Barcelona", holiday_country="ES", holiday_subdivision="CT")
    assert not is_open(calendar, madrid(2026, 4, 2, 12, 0))
    assert is_open(catalonia, madrid(2026, 4, 2, 12, 0))


def test_a_closing_day_is_skipped():
    # given
    calendar = office()
    ClosingDay.objects.create(calendar=calendar, day=date(2026, 1, 19), name="Inventory")
    calendar_cache_clear()

    # when
    due = business_add(calendar, madrid(2026, 1, 16, 17, 0), 120)

    # then
    assert due == madrid(2026, 1, 20, 10, 0)
    assert next_holidays(calendar, today=date(2026, 1, 17))[0] == (date(2026, 1, 19), "Inventory")


def test_several_ranges_a_day():
    # given
    calendar = office(hours=(("09:00", "14:00"), ("15:00", "18:00")))

    # when / then: 13:00 + 2 h = one hour before lunch, one after
    assert business_add(calendar, madrid(2026, 1, 12, 13, 0), 120) == madrid(2026, 1, 12, 16, 0)
    assert not is_open(calendar, madrid(2026, 1, 12, 14, 30))
    assert business_minutes(calendar, madrid(2026, 1, 12, 0, 0), madrid(2026, 1, 13, 0, 0)) == 480


def test_the_spring_forward_day_in_madrid_has_no_two_oclock():
    # given: 2026-03-29, 02:00 becomes 03:00
    calendar = office(hours=(("00:00", "06:00"), ("02:00", "03:00")), days=("sun",))

    # when
    minutes = business_minutes(calendar, madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 30, 0, 0))
    due = business_add(calendar, madrid(2026, 3, 29, 1, 30), 60)

    # then: five real hours; 01:30 + 60 minutes is 03:30 local
    assert minutes == 300
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert due.astimezone(MADRID).hour == 3


def test_a_range_inside_the_missing_hour_has_no_minutes():
    calendar = office(hours=(("02:00", "03:00"),), days=("sun",))

    assert business_minutes(calendar, madrid(2026, 3, 28, 0, 0), madrid(2026, 3, 30, 0, 0)) == 0
    assert business_minutes(calendar, madrid(2026, 3, 21, 0, 0), madrid(2026, 3, 23, 0, 0)) == 60


def test_the_fall_back_day_in_madrid_counts_the_repeated_hour_twice():
    # given: 2026-10-25, 03:00 goes back to 02:00
    calendar = office(hours=(("00:00", "06:00"),), days=("sun",))

    # when
    minutes = business_minutes(calendar, madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 26, 0, 0))
    due = business_add(calendar, madrid(2026, 10, 25, 0, 0), 360)

    # then: seven real hours; six hours after midnight is 05:00 local
    assert minutes == 420
    assert due.astimezone(MADRID).replace(tzinfo=None) == datetime(2026, 10, 25, 5, 0)


def test_a_range_ending_in_new_yorks_missing_hour_ends_at_the_change():
    # given: 2026-03-08, 02:00 becomes 03:00 (07:00 UTC)
    calendar = office(hours=(("00:00", "02:30"),), days=("sun",), timezone="America/New_York")
    at = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)

    # then
    assert is_open(calendar, at)
    assert not is_open(calendar, at + timedelta(minutes=1))
    assert business_add(calendar, datetime(2026, 3, 8, 5, 0, tzinfo=UTC), 120) == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )


def test_a_night_shift_crosses_midnight_and_belongs_to_the_day_it_starts():
    # given: Monday to Friday 22:00-06:00; Tuesday 6 January 2026 is a holiday
    calendar = office(hours=(("22:00", "06:00"),), holiday_country="ES", holiday_subdivision="MD")

    # when / then: Friday night runs into Saturday morning
    assert is_open(calendar, madrid(2026, 1, 17, 5, 59))
    assert not is_open(calendar, madrid(2026, 1, 17, 6, 0))
    assert business_add(calendar, madrid(2026, 1, 16, 12, 0), 8 * 60) == madrid(2026, 1, 17, 6, 0)
    # Monday night's shift runs into the holiday; the holiday's own shift is dropped
    assert is_open(calendar, madrid(2026, 1, 6, 3, 0))
    assert not is_open(calendar, madrid(2026, 1, 6, 23, 0))
    assert is_open(calendar, madrid(2026, 1, 8, 1, 0))


def test_a_24x7_calendar_is_one_call_and_always_open():
    # when
    calendar = calendar_24x7()

    # then
    assert calendar_24x7() == calendar
    assert calendar.always_open
    start = datetime(2026, 12, 25, 23, 30, tzinfo=UTC)
    assert is_open(calendar, start)
    assert business_add(calendar, start, 8 * 60) == start + timedelta(hours=8)
    assert business_minutes(calendar, start, start + timedelta(days=365)) == 365 * 1440


def test_the_24x7_name_taken_by_an_office_calendar_is_refused():
    office(name="24x7x365")

    with pytest.raises(ValueError, match="not 24x7x365"):
        calendar_24x7()


def test_zero_minutes_return_the_start_and_bad_input_is_refused():
    calendar = office()
    closed = madrid(2026, 1, 17, 12, 0)  # Saturday

    assert business_add(calendar, closed, 0) == closed
    assert business_minutes(calendar, closed, closed - timedelta(hours=1)) == 0
    with pytest.raises(ValueError):
        business_add(calendar, closed, -1)
    with pytest.raises(ValueError):
        business_add(calendar, datetime(2026, 1, 17, 12, 0), 10)


def test_a_calendar_that_is_never_open_raises_a_clear_error():
    empty = Calendar.objects.create(name="Nothing", timezone="UTC", hours={})
    only_a_closed_day = office(name="Closed for years", days=("thu",))
    for year in range(2026, 2037):
        ClosingDay.objects.bulk_create(
            ClosingDay(calendar=only_a_closed_day, day=date(year, 1, 1) + timedelta(days=n))
            for n in range(366)
            if (date(year, 1, 1) + timedelta(days=n)).year == year
        )
    calendar_cache_clear()

    with pytest.raises(CalendarNeverOpen, match="never open"):
        business_add(empty, madrid(2026, 1, 1, 0, 0), 10)
    with pytest.raises(CalendarNeverOpen, match="never open"):
        business_add(only_a_closed_day, madrid(2026, 1, 1, 0, 0), 10)


def test_a_change_to_the_hours_shows_at_once():
    calendar = office()
    start = madrid(2026, 1, 16, 17, 0)
    assert business_add(calendar, start, 120) == madrid(2026, 1, 19, 10, 0)

    calendar.hours["fri"] = [["09:00", "20:00"]]
    calendar.save()

    assert business_add(calendar, start, 120) == madrid(2026, 1, 16, 19, 0)


def test_a_saved_calendar_reads_its_closing_days_once_per_cache_period(
    settings, django_assert_num_queries
):
    # given
    settings.AYUDA_CALENDAR_CACHE_SECONDS = 60
    calendar = office()
    start = madrid(2026, 1, 16, 17, 0)

    # when / then: one read of the closing days, then none
    with django_assert_num_queries(1):
        business_add(calendar, start, 120)
    with django_assert_num_queries(0):
        for _ in range(100):
            business_add(Calendar(**_fields(calendar)), start, 120)
    ClosingDay.objects.create(calendar=calendar, day=date(2026, 1, 19))
    calendar_cache_clear()  # the admin does this on every save
    with django_assert_num_queries(1):
        assert business_add(calendar, start, 120) == madrid(2026, 1, 20, 10, 0)


def _fields(calendar: Calendar) -> dict:
    """A second instance of the same row, as a policy's ``calendar`` would load it."""
    return {
        field.attname: getattr(calendar, field.attname) for field in Calendar._meta.concrete_fields
    }


def test_a_target_longer_than_ten_years_of_opening_is_a_clear_error():
    calendar = office(hours=(("09:00", "10:00"),), days=("mon",))

    with pytest.raises(CalendarNeverOpen, match="not open long enough within ten years"):
        business_add(calendar, madrid(2026, 1, 1, 0, 0), 60 * 600)


def test_a_country_the_holidays_library_does_not_know_is_a_clear_error():
    calendar = office(holiday_country="XX")

    with pytest.raises(ValueError, match="does not know the country"):
        business_add(calendar, madrid(2026, 1, 1, 0, 0), 60)
