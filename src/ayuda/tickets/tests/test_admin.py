"""The read-only ticket admin: found by number through the primary key, counted cheaply."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.core import admin as core_admin
from ayuda.core.admin import LargeTablePaginator
from ayuda.tickets.models import Ticket

from .factories import ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url", ["admin:tickets_ticket_changelist", "admin:tickets_ticketevent_changelist"]
)
def test_search_by_ticket_number_reads_by_primary_key(
    admin_client, django_assert_max_num_queries, url
):
    # given
    wanted, other = ticket_make(subject="Wanted"), ticket_make(subject="Other")

    # when
    with django_assert_max_num_queries(8) as captured:
        response = admin_client.get(reverse(url), {"q": f"#{wanted.pk}"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f">{wanted.pk}<" in html and f">{other.pk}<" not in html
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "UPPER(" not in sql  # not a text comparison over every row


def test_search_for_something_that_is_no_number_finds_nothing(admin_client):
    ticket_make(subject="Printer")
    response = admin_client.get(reverse("admin:tickets_ticket_changelist"), {"q": "Printer"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_filtered_lists_are_counted_exactly(monkeypatch):
    # given
    monkeypatch.setattr(core_admin, "ESTIMATE_ABOVE", -10)
    tickets = [ticket_make() for _ in range(3)]

    # when
    filtered = LargeTablePaginator(Ticket.objects.filter(pk=tickets[0].pk).order_by("pk"), 50)

    # then
    assert filtered.count == 1


def test_an_unfiltered_large_table_takes_postgresqls_estimate_and_is_counted_elsewhere(
    monkeypatch,
):
    # given: three tickets, analysed, and "large" meaning anything here
    for _ in range(3):
        ticket_make()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_ticket")
    monkeypatch.setattr(core_admin, "ESTIMATE_ABOVE", 0)

    # when
    with CaptureQueriesContext(connection) as captured:
        count = LargeTablePaginator(Ticket.objects.order_by("pk"), 50).count

    # then
    assert count == 3
    sql = captured.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "reltuples" in sql and "COUNT" not in sql.upper()
    else:
        assert "COUNT(*)" in sql.upper()


def test_small_tables_are_counted_exactly():
    for _ in range(2):
        ticket_make()
    assert LargeTablePaginator(Ticket.objects.order_by("pk"), 50).count == 2
