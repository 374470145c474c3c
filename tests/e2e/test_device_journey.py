"""Device health end to end (issue 10's "done means"): the demo's simulator sends readings
through the API and makes a counter go silent; the scan raises its incident; the agent assigns
the site admin the questionnaire and a check; the site admin sees the silent device in the
portal, answers and confirms; the agent escalates to the vendor, whose mail carries the device,
its figures and the answers. A device that reports again resolves its incident by itself."""

import json
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command
from e2e_helpers import RESULTS_DIR, clean_slate, users_speak
from playwright.sync_api import expect

from ayuda.accounts.models import User
from ayuda.accounts.tokens import token_create
from ayuda.demo.data.desk import DEMO_PASSWORD
from ayuda.devices.models import HealthIncident
from ayuda.knowledge.models import AssignedAction, GuideAnswers
from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets.models import Level, StateCategory

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

SILENT = "CC-TO01-1"  # a Torino counter the demo's simulator stops 4.5 days ago (Paola's site)
RECOVERS = "CC-VLC01-2"  # a Valencia counter, silent for 5 days, that reports again


@pytest.fixture
def demo(settings, tmp_path):
    clean_slate()
    settings.DATA_DIR = tmp_path
    call_command("load_demo", "--allow-production", stdout=StringIO())  # runs the simulator


def test_a_silent_counter_from_the_scan_to_the_site_admin_and_the_vendor(
    demo, page, login_as, live_server
):
    # given: the demo's readings, sent by its simulator through the API; the scan runs
    call_command("scan_devices", stdout=StringIO())
    incident = HealthIncident.objects.select_related("ticket").get(device__serial=SILENT)
    ticket = incident.ticket
    assert ticket.channel == "monitoring" and ticket.category.name == "Device offline"
    marco, paola = User.objects.get(username="marco"), User.objects.get(username="paola")
    users_speak("en", marco, paola)

    # when: the agent opens the incident from the queue's device filter and sees why it was raised
    login_as(page, marco.username, DEMO_PASSWORD)
    page.goto(f"/agent/?device={SILENT}")
    page.locator("tbody tr").first.get_by_role("link").first.click()
    panel = page.locator("#ticket-panel")
    expect(panel).to_contain_text(SILENT)
    expect(panel).to_contain_text("Days without a heartbeat")

    # and: assigns the site admin the questionnaire and a check of the cable
    for kind, instructions in (
        ("Answer the questionnaire", "Please answer the counter's questions."),
        ("A task to do and confirm", "Check that the counter's cable is plugged in, and confirm."),
    ):
        page.get_by_role("link", name="Assign an action").first.click()
        form = page.locator("form.action-form").filter(has=page.get_by_label("Assign to"))
        form.get_by_label("Assign to").select_option(label="Paola Rossi (site admin)")
        form.get_by_label("Action").select_option(label=kind)
        form.get_by_label("What to do").fill(instructions)
        form.get_by_role("button", name="Assign").click()
        expect(page.locator("#ticket-panel").get_by_text(instructions)).to_be_visible()
    assert AssignedAction.objects.filter(ticket=ticket, assignee=paola).count() == 2
    page.context.clear_cookies()

    # then: the site admin sees the silent counter among her sites' devices
    login_as(page, paola.username, DEMO_PASSWORD)
    page.get_by_role("link", name="Devices").click()
    row = page.locator("tbody tr").filter(has_text=SILENT)
    expect(row).to_be_visible()
    expect(page.locator("tbody")).not_to_contain_text("CC-VLC01")  # another organisation's
    page.screenshot(path=RESULTS_DIR / "device-journey-site-admin-devices.png", full_page=True)

    # when: she answers the questionnaire from "My actions"
    page.get_by_role("link", name="My actions").click()
    expect(page.locator("section.card.action")).to_have_count(2)
    page.get_by_role("link", name="Answer the questionnaire").click()
    guide = page.locator("#portal-guide")
    guide.get_by_role("group", name="Is the device powered (its light is on)?").get_by_label(
        "Yes"
    ).check()
    guide.get_by_label("Is the network cable plugged in?").select_option(label="Unplugged")
    guide.get_by_role("group", name="Has the shop been open as usual?").get_by_label("Yes").check()
    guide.get_by_role("button", name="Save the answers").click()
    expect(page.get_by_text("Thank you: your answers were saved.")).to_be_visible()

    # and: confirms the check with a comment
    page.get_by_role("link", name="My actions").click()
    expect(page.locator("section.card.action")).to_have_count(1)
    page.get_by_label("Comment").fill("The cable was out of the switch: plugged back in.")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Thank you: the action is done.")).to_be_visible()
    assert GuideAnswers.objects.get(ticket=ticket).answers["cable"] == "Unplugged"
    assert not AssignedAction.objects.filter(ticket=ticket, completed_at__isnull=True).exists()
    page.context.clear_cookies()

    # when: the agent escalates the incident to the vendor's second line
    login_as(page, marco.username, DEMO_PASSWORD)
    page.goto(f"/agent/tickets/{ticket.pk}/")
    expect(page.locator("#ticket-panel")).to_contain_text("The cable was out of the switch")
    escalate = page.locator("#action-escalate-vendor")
    escalate.locator("summary").click()
    escalate.get_by_label("Reason").fill("Still silent after the site's checks.")
    escalate.get_by_role("button", name="Escalate to vendor").click()
    expect(
        page.locator("#ticket-panel").get_by_text("The ticket was escalated to the vendor.")
    ).to_be_visible()
    page.screenshot(path=RESULTS_DIR / "device-journey-escalated.png", full_page=True)

    # then: the vendor holds it, and its mail carries the device, the figures and the answers
    ticket.refresh_from_db()
    assert ticket.level == Level.VENDOR
    mail = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.VENDOR_ESCALATION)
    assert SILENT in mail.body_text
    assert "Torino Centro" in mail.body_text
    assert "Unplugged" in mail.body_text or "Scollegato" in mail.body_text


def test_a_counter_that_reports_again_resolves_its_incident_by_itself(demo, live_server):
    # given: the scan raised the Valencia counter's incident
    call_command("scan_devices", stdout=StringIO())
    incident = HealthIncident.objects.get(device__serial=RECOVERS)
    assert incident.is_open
    admin = User.objects.get(username="admin")
    token = token_create(user=admin, name="Collector", scopes=["devices"], expires_at=None)

    # when: the counter sends a heartbeat again, over HTTP, and the scan runs twice (the rule
    # wants two healthy scans in a row before it believes a device that was silent)
    from django.utils import timezone

    body = json.dumps(
        {"heartbeats": [{"serial": RECOVERS, "at": timezone.now().isoformat()}], "readings": []}
    ).encode()
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/devices/readings",
        data=body,
        headers={"Authorization": f"Bearer {token.secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    assert answer["heartbeats"][0]["status"] == "accepted"
    call_command("scan_devices", stdout=StringIO())
    call_command("scan_devices", stdout=StringIO())

    # then: its incident is closed and its ticket resolved, with nobody touching it
    incident.refresh_from_db()
    assert not incident.is_open
    incident.ticket.refresh_from_db()
    assert incident.ticket.state_category == StateCategory.RESOLVED
