"""The calendars' admin (R22): opening hours per weekday, holidays by country and region, the
time zone; every bad input is a clear error and nothing is saved half-way; one-click 24x7."""

import pytest
from django.urls import reverse
from django.utils import translation

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.sla.forms_calendars import CalendarForm
from ayuda.sla.models import Calendar, ClosingDay

pytestmark = pytest.mark.django_db

ADD = "admin:sla_calendar_add"


@pytest.fixture
def admin_client(client):
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def form_data(**changes) -> dict:
    data = {
        "name": "Madrid office",
        "timezone": "Europe/Madrid",
        "holiday_country": "ES",
        "holiday_subdivision": "MD",
        "hours_mon": "09:00-14:00, 15:00-18:00",
        "hours_tue": "09:00-14:00, 15:00-18:00",
        "hours_wed": "09:00-14:00, 15:00-18:00",
        "hours_thu": "09:00-14:00, 15:00-18:00",
        "hours_fri": "08:00-15:00",
        "hours_sat": "",
        "hours_sun": "",
        "closing_days-TOTAL_FORMS": "1",
        "closing_days-INITIAL_FORMS": "0",
        "closing_days-MIN_NUM_FORMS": "0",
        "closing_days-MAX_NUM_FORMS": "1000",
        "closing_days-0-day": "2026-12-24",
        "closing_days-0-name": "Christmas Eve",
    }
    data.update(changes)
    return data


def test_a_manager_sets_up_office_hours_in_madrid_with_spanish_holidays(admin_client):
    # when
    form = admin_client.get(reverse(ADD))
    response = admin_client.post(reverse(ADD), form_data(holiday_country="es"))

    # then
    assert form.status_code == 200
    assert response.status_code == 302
    calendar = Calendar.objects.get()
    assert calendar.hours["mon"] == [["09:00", "14:00"], ["15:00", "18:00"]]
    assert calendar.hours["fri"] == [["08:00", "15:00"]]
    assert calendar.hours["sun"] == []
    assert (calendar.holiday_country, calendar.holiday_subdivision) == ("ES", "MD")
    assert ClosingDay.objects.get().name == "Christmas Eve"
    change = admin_client.get(reverse("admin:sla_calendar_change", args=[calendar.pk]))
    page = change.content.decode()
    assert 'value="09:00-14:00, 15:00-18:00"' in page
    assert "Christmas Eve" in page


def test_a_night_shift_and_a_range_to_midnight_are_accepted(admin_client):
    response = admin_client.post(
        reverse(ADD),
        form_data(hours_mon="22:00-06:00", hours_tue="18:00-24:00", hours_wed="06:00-10:00"),
    )

    assert response.status_code == 302
    hours = Calendar.objects.get().hours
    assert hours["mon"] == [["22:00", "06:00"]]
    assert hours["tue"] == [["18:00", "00:00"]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours_mon": "09:00-14:00, 13:00-18:00"}, "overlap"),
        ({"hours_sun": "22:00-07:00", "hours_mon": "06:30-10:00"}, "overlap"),
        ({"hours_tue": "09:00-09:00"}, "is empty"),
        ({"hours_wed": "9-14"}, "is not a range like 09:00-14:00"),
        ({"hours_wed": "25:00-26:00"}, "is not a range like 09:00-14:00"),
        ({"hours_wed": "09:60-10:00"}, "is not a range like 09:00-14:00"),
        ({"holiday_country": "XX", "holiday_subdivision": ""}, "does not know the country"),
        ({"holiday_subdivision": "ZZ"}, "has no region"),
        ({"holiday_country": "", "holiday_subdivision": "MD"}, "needs the country"),
        ({"timezone": "Europe/Atlantis"}, "is not a time zone"),
        (
            {f"hours_{day}": "" for day in ("mon", "tue", "wed", "thu", "fri")},
            "is never open",
        ),
        ({"closing_days-0-day": "not a date"}, "Enter a valid date"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(admin_client, changes, message):
    # when
    response = admin_client.post(reverse(ADD), form_data(**changes))

    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Calendar.objects.exists()
    assert not ClosingDay.objects.exists()


def test_errors_are_translated():
    data = form_data(timezone="Europe/Atlantis", hours_mon="09:00-14:00, 13:00-18:00")

    with translation.override("es"):
        spanish = {name: list(errors) for name, errors in CalendarForm(data).errors.items()}
    with translation.override("it"):
        italian = {name: list(errors) for name, errors in CalendarForm(data).errors.items()}

    assert "no es una zona horaria" in spanish["timezone"][0]
    assert "Lunes se solapan" in spanish["hours_mon"][0]
    assert "non è un fuso orario" in italian["timezone"][0]


def test_a_change_with_a_bad_range_keeps_the_calendar_as_it_was(admin_client):
    # given
    admin_client.post(reverse(ADD), form_data())
    calendar = Calendar.objects.get()
    url = reverse("admin:sla_calendar_change", args=[calendar.pk])

    # when
    response = admin_client.post(
        url, form_data(hours_mon="10:00-12:00, 11:00-13:00", name="Renamed")
    )

    # then
    assert response.status_code == 200
    calendar.refresh_from_db()
    assert calendar.name == "Madrid office"
    assert calendar.hours["mon"] == [["09:00", "14:00"], ["15:00", "18:00"]]
    assert ClosingDay.objects.count() == 1


def test_a_24x7_calendar_is_one_click(admin_client):
    # when
    first = admin_client.post(reverse("admin:sla_calendar_create_24x7"))
    again = admin_client.post(reverse("admin:sla_calendar_create_24x7"))
    listing = admin_client.get(reverse("admin:sla_calendar_changelist"))

    # then
    calendar = Calendar.objects.get()
    assert calendar.always_open
    assert first.status_code == again.status_code == 302
    assert first["Location"] == reverse("admin:sla_calendar_change", args=[calendar.pk])
    assert "Create a 24x7x365 calendar" in listing.content.decode()
    assert admin_client.get(reverse("admin:sla_calendar_create_24x7")).status_code == 405


def test_the_change_page_shows_the_next_public_holidays(admin_client):
    # given
    admin_client.post(reverse(ADD), form_data())
    calendar = Calendar.objects.get()

    # when
    page = admin_client.get(reverse("admin:sla_calendar_change", args=[calendar.pk]))

    # then
    text = page.content.decode()
    assert "Next public holidays and closing days" in text
    assert "Christmas Eve" in text or "2027-01-01" in text


def test_changing_a_calendar_moves_the_live_due_times_of_its_tickets(
    admin_client, django_capture_on_commit_callbacks
):
    # given: a ticket due under an office calendar open one hour a day
    from datetime import UTC, datetime

    from ayuda.sla.models import SlaPolicy
    from ayuda.tickets.models import Ticket
    from ayuda.tickets.services import ticket_create
    from ayuda.tickets.tests.factories import desk_make

    admin_client.post(reverse(ADD), form_data(hours_mon="09:00-10:00", hours_tue="09:00-10:00"))
    calendar = Calendar.objects.get()
    SlaPolicy.objects.create(name="Office", calendar=calendar, first_response_minutes=90)
    desk = desk_make()
    monday_nine = datetime(2026, 11, 30, 8, tzinfo=UTC)  # 09:00 in Madrid
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            requester=desk.requester, subject="Till", description="Down", channel="portal",
            at=monday_nine,
        )  # fmt: skip
    before = Ticket.objects.get(pk=ticket.pk).first_response_due_at
    assert before == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # Tuesday 09:30 in Madrid

    # when: the administrator opens Mondays until 11:00
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:sla_calendar_change", args=[calendar.pk]),
            form_data(
                hours_mon="09:00-11:00",
                hours_tue="09:00-10:00",
                **{"closing_days-0-day": "", "closing_days-0-name": ""},
            ),
        )

    # then: the ticket is due at 10:30 on Monday
    assert response.status_code == 302
    after = Ticket.objects.get(pk=ticket.pk).first_response_due_at
    assert after == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
