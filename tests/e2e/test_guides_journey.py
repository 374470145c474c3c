"""A monitoring incident worked with the category's guide and an assigned action (issue 10,
R14, R15): the site admin answers the questionnaire and completes an action with a photo in
the portal; the agent reads both on the ticket and finds the overdue one from the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone
from e2e_helpers import PASSWORD, RESULTS_DIR, clean_slate
from playwright.sync_api import expect

from ayuda.knowledge.models import ActionKind, AssignedAction, GuideAnswers
from ayuda.knowledge.services import action_assign
from ayuda.knowledge.tests.factories import guided_ticket
from ayuda.tickets.models import Article
from ayuda.tickets.tests.factories import desk_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def test_site_admin_answers_and_completes_then_the_agent_reads_it(page, login_as, tmp_path):
    # given: an incident on the site admin's site, a guide for its category, two actions
    clean_slate()
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    for kind, days in ((ActionKind.QUESTIONNAIRE, 2), (ActionKind.TASK, 2)):
        action_assign(
            ticket=ticket,
            actor=desk.agent_l1,
            assignee=desk.site_admin,
            kind=kind,
            instructions="Check that the device's cable is plugged in and confirm.",
            due_at=timezone.now() + timedelta(days=days),
        )
    login_as(page, desk.site_admin.username, PASSWORD)

    # when: she opens "My actions", then the questionnaire, and answers it (htmx, in place)
    page.get_by_role("link", name="My actions").click()
    expect(page.locator("section.card.action")).to_have_count(2)
    page.get_by_role("link", name="Answer the questionnaire").click()
    page.get_by_label("No").first.check()
    page.get_by_label("Network cable").select_option(label="unplugged")
    page.get_by_label("Visitors today").fill("lots")
    page.get_by_role("button", name="Save the answers").click()
    expect(page.get_by_text("Enter a number, such as 12 or 3.5.")).to_be_visible()
    page.get_by_label("Visitors today").fill("40")
    page.get_by_role("button", name="Save the answers").click()
    expect(page.get_by_text("Thank you: your answers were saved.")).to_be_visible()

    # then: saved, and the questionnaire action is done; the task is left
    assert GuideAnswers.objects.get(ticket=ticket).answers["people"] == 40
    page.get_by_role("link", name="My actions").click()
    expect(page.locator("section.card.action")).to_have_count(1)

    # when: she completes the task with a comment and a photo
    photo = tmp_path / "cable.png"
    photo.write_bytes(PNG)
    page.get_by_label("Comment").fill("The cable was loose; plugged back in.")
    page.get_by_label("Photo").set_input_files(str(photo))
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Thank you: the action is done.")).to_be_visible()
    assert not AssignedAction.objects.filter(completed_at__isnull=True).exists()
    assert Article.objects.get(ticket=ticket, body__contains="loose").attachments.count() == 1

    # then: the agent reads the answers, the comment and the photo on the ticket
    page.context.clear_cookies()
    login_as(page, desk.agent_l1.username, PASSWORD)
    page.goto(f"/agent/tickets/{ticket.pk}/")
    timeline = page.locator(".timeline")
    expect(timeline.get_by_text("The cable was loose; plugged back in.")).to_be_visible()
    expect(timeline.get_by_role("link", name="cable.png")).to_be_visible()
    expect(page.locator("#guide-card").get_by_label("Visitors today")).to_have_value("40")
    page.screenshot(path=RESULTS_DIR / "guides-journey-agent.png", full_page=True)


def test_the_agent_finds_overdue_actions_from_the_queue(page, login_as):
    clean_slate()
    desk = desk_make()
    ticket, guide = guided_ticket(desk)
    other, _ = guided_ticket(desk, guide=guide)
    action = action_assign(
        ticket=ticket,
        actor=desk.agent_l1,
        assignee=desk.requester,
        kind=ActionKind.TASK,
        instructions="Send a photo of the device",
        due_at=timezone.now() + timedelta(days=1),
    )
    AssignedAction.objects.filter(pk=action.pk).update(due_at=timezone.now() - timedelta(days=1))
    login_as(page, desk.agent_l1.username, PASSWORD)
    page.goto("/agent/?overdue=1")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_text("Overdue action")).to_be_visible()
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_text("1 action is overdue.")).to_be_visible()
    assert other.pk != ticket.pk
