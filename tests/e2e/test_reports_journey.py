"""The reports journey (issue 13, "Done means"): a manager imports the phone system's queue log
in the admin, reads the call reports and their heat map of missed calls, follows a count to the
calls behind it, opens the staffing recommendation, and follows a ticket figure to the queue
that lists those tickets. And the call reports in Spanish.

The queue log (fixtures/queue_log_journey, Europe/Madrid, CET in November): Monday 2026-11-02
at 10 h two answered calls, two abandoned (after 45 s and 3 s) and one timed out (300 s); at
14 h one answered; Tuesday at 09 h one answered and one abandoned (60 s): 8 calls, 4 missed,
3 of them on Monday at 10 h.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from e2e_helpers import PASSWORD, clean_slate, shot, t
from playwright.sync_api import expect

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.intake.phone.models import Call, CallImport, CallSource, SourceKind
from ayuda.reports.facts import facts_rebuild
from ayuda.tickets.models import Channel
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

QUEUE_LOG = Path(__file__).parent / "fixtures" / "queue_log_journey"
CALL_DAYS = {"since": "2026-11-02", "until": "2026-11-03"}
SUBJECTS = ("Caja 3 no imprime tickets", "Sin conexión en la tienda", "Escáner no lee")


@pytest.fixture
def world():
    """A help desk, its manager (Madrid, allowed into the admin for the phone systems), the
    phone system "Centralita", and three phone tickets raised today."""
    clean_slate()
    desk = desk_make()
    manager = user_make(
        role=Role.MANAGER,
        language="en",
        timezone="Europe/Madrid",
        is_staff=True,
        teams=[desk.l1_team],
    )
    manager.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="intake",
            content_type__model__in=["callsource", "callimport", "call"],
        )
    )
    source = CallSource.objects.create(
        name="Centralita", kind=SourceKind.ASTERISK_QUEUE_LOG, timezone="Europe/Madrid"
    )
    tickets = [
        ticket_make(
            requester=desk.requester,
            actor=desk.agent_l1,
            subject=subject,
            channel=Channel.PHONE,
            team=desk.l1_team,
        )
        for subject in SUBJECTS
    ]
    facts_rebuild()
    return desk, manager, source, tickets


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').first.click()


def _show_days(page, lang: str = "en") -> None:
    """Set the report's range to the queue log's days with the filter form."""
    page.get_by_label(t(lang, "From"), exact=True).fill(CALL_DAYS["since"])
    page.get_by_label(t(lang, "Until"), exact=True).fill(CALL_DAYS["until"])
    with page.expect_navigation():
        page.get_by_role("button", name=t(lang, "Show"), exact=True).click()


def test_a_manager_imports_calls_reads_the_reports_and_follows_figures(page, world):
    _desk, manager, source, tickets = world
    _sign_in(page, manager.username)

    # when: the manager opens the admin, the phone system, and imports the queue log
    page.goto("/admin/")
    page.get_by_role("link", name=re.compile("Phone systems", re.I)).first.click()
    page.get_by_role("link", name="Centralita", exact=True).click()
    page.get_by_role("link", name="Import a file").click()
    page.locator('input[name="file"]').set_input_files(str(QUEUE_LOG))
    with page.expect_navigation():
        page.get_by_role("button", name="Import", exact=True).click()
    # then: the import's own page says what was taken in
    expect(page).to_have_url(re.compile(r"/admin/intake/callimport/\d+/change/"))
    done = CallImport.objects.get(source=source)
    assert (done.added, done.refused, done.failure) == (8, 0, "")
    assert Call.objects.filter(source=source, outcome__in=["abandoned", "timeout"]).count() == 4
    expect(page.locator("body")).to_contain_text("queue_log_journey")
    shot(page, "reports-01-import")

    # when: Reports → Calls for the queue log's days
    page.goto("/agent/")
    page.get_by_role("link", name=t("en", "Reports"), exact=True).first.click()
    page.locator(".report-tabs").get_by_role("link", name=t("en", "Calls")).click()
    expect(page).to_have_url(re.compile(r"/agent/reports/calls/"))
    _show_days(page)
    # then: the heat map of missed calls has Monday 10 h's three missed calls
    heatmap = page.locator("#figure-missed-heatmap table.heatmap")
    expect(heatmap).to_be_visible()
    monday_10 = heatmap.locator("tbody tr").nth(10).locator("td").nth(0)
    expect(monday_10).to_have_text("3")
    expect(monday_10).to_have_class(re.compile(r"heat-9"))
    summary = page.locator("#figure-summary")
    expect(summary.get_by_role("row", name=re.compile(r"^Calls offered"))).to_contain_text("8")
    expect(summary.get_by_role("row", name=re.compile(r"^Missed"))).to_contain_text("4")
    shot(page, "reports-02-calls")

    # when: the manager follows the count to the calls behind it
    with page.expect_navigation():
        monday_10.get_by_role("link").click()
    # then: the three missed calls of Monday at 10 h, with their callers
    expect(page).to_have_url(re.compile(r"/agent/reports/calls/list/\?.*how=1%3A10"))
    rows = page.locator("table.calls-list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.calls-list")).to_contain_text("+34 91 555 00 03")
    expect(page.locator("table.calls-list")).to_contain_text("+34 91 555 00 05")
    shot(page, "reports-03-calls-list")

    # when: the staffing tab
    page.locator(".report-tabs").get_by_role("link", name=t("en", "Staffing")).click()
    # then: the recommendation's heat map, with numbers
    expect(page).to_have_url(re.compile(r"/agent/reports/staffing/"))
    staffing = page.locator("table.heatmap").first
    expect(staffing).to_be_visible()
    expect(staffing.locator("td").first).to_have_text(re.compile(r"\d"))
    shot(page, "reports-04-staffing")

    # when: the ticket reports, and a figure's count followed to the queue
    page.locator(".report-tabs").get_by_role("link", name=t("en", "Tickets")).click()
    expect(page).to_have_url(re.compile(r"/agent/reports/"))
    count = (
        page.locator(".report-figure td a[href^='/agent/?']")
        .filter(has_text=re.compile(r"^\s*[1-9]\d*\s*$"))
        .first
    )
    expect(count).to_be_visible()
    shot(page, "reports-05-tickets")
    with page.expect_navigation():
        count.click()
    # then: the queue lists those tickets
    expect(page).to_have_url(re.compile(r"/agent/\?"))
    for ticket in tickets:
        expect(page.get_by_role("link", name=ticket.subject).first).to_be_visible()
    shot(page, "reports-06-queue")


def test_the_call_reports_in_spanish(page, world):
    # given: the manager reads Spanish and the queue log is imported
    from ayuda.intake.phone.services import calls_import

    _desk, manager, source, _tickets = world
    manager.language = "es"
    manager.save(update_fields=["language"])
    calls_import(source=source, data=QUEUE_LOG.read_bytes(), filename="queue_log")
    _sign_in(page, manager.username)
    # when: the call reports open for the queue log's days
    page.goto("/agent/reports/calls/")
    _show_days(page, "es")
    # then: the page and its heat map speak Spanish, with the same numbers
    expect(page.get_by_role("heading", level=1)).to_have_text(t("es", "Calls", strict=True))
    title = t("es", "Missed calls by weekday and hour", strict=True)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    heatmap = page.locator("#figure-missed-heatmap table.heatmap")
    with translation.override("es"):
        monday = translation.pgettext("weekday", "Mon")
    assert monday != "Mon"
    expect(heatmap.locator("thead th").nth(1)).to_have_text(monday)
    expect(heatmap.locator("tbody tr").nth(10).locator("td").nth(0)).to_have_text("3")
    shot(page, "reports-07-calls-es")
