"""The guide and actions on the agent's and the portal's pages, their permissions, the queue's
overdue marker and filter, and what the vendor gets on escalation."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ayuda.devices.models import Device, HealthIncident, ScanRule
from ayuda.knowledge.models import ActionKind, AssignedAction, GuideAnswers
from ayuda.knowledge.services import action_assign, guide_answers_save
from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.notifications.services import notify_for_events
from ayuda.tickets import services
from ayuda.tickets.models import Article, Channel, Ticket, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_make

from .factories import guided_ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
GOOD = {"powered": "no", "cable": "unplugged", "people": "40", "notes": "Road works outside."}


def _action(desk, ticket, *, assignee=None, days=2, kind=ActionKind.TASK):
    return action_assign(
        ticket=ticket,
        actor=desk.agent_l1,
        assignee=assignee or desk.site_admin,
        kind=kind,
        instructions="Check that the device's cable is plugged in and confirm.",
        due_at=timezone.now() + timedelta(days=days),
    )


def _overdue(action):
    AssignedAction.objects.filter(pk=action.pk).update(due_at=timezone.now() - timedelta(hours=1))


# -- agent workspace ----------------------------------------------------------------------------


def test_the_agent_fills_the_guide_on_the_ticket_page(client):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    client.force_login(desk.agent_l1)
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Is the device powered?" in page and "Check the network cable." in page

    response = client.post(reverse("agent:guide_save", args=[ticket.pk]), GOOD, **HX)

    assert response.status_code == 200
    assert GuideAnswers.objects.get(ticket=ticket).answers["people"] == 40
    assert 'id="ticket-panel"' in response.content.decode()


def test_a_bad_answer_comes_back_on_its_field_translated_and_nothing_is_saved(client):
    desk = desk_make()
    desk.agent_l1.language = "es"
    desk.agent_l1.save()
    ticket, _guide = guided_ticket(desk)
    client.force_login(desk.agent_l1)
    client.post(reverse("language"), {"language": "es", "next": "/"})

    response = client.post(reverse("agent:guide_save", args=[ticket.pk]), {"people": "lots"}, **HX)

    assert response.status_code == 422
    html = response.content.decode()
    assert "Esta pregunta necesita una respuesta." in html  # "powered" is required
    assert "Introduzca un número" in html
    assert 'value="lots"' in html  # what they typed stays
    assert not GuideAnswers.objects.exists()


def test_the_agent_assigns_an_action_and_the_vendor_agent_may_not(client):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    data = {
        "assignee": desk.site_admin.pk,
        "kind": ActionKind.TASK,
        "instructions": "Plug the cable",
        "due_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    client.force_login(desk.agent_l1)
    form = client.get(reverse("agent:action_new", args=[ticket.pk]), **HX).content.decode()
    assert f'<option value="{desk.site_admin.pk}">' in form
    assert f'<option value="{desk.other_site_admin.pk}">' not in form
    response = client.post(reverse("agent:action_new", args=[ticket.pk]), data, **HX)
    assert response.status_code == 200
    assert AssignedAction.objects.get().assignee == desk.site_admin

    client.force_login(desk.vendor_agent)
    for name in ("agent:action_new", "agent:guide_save"):
        assert client.post(reverse(name, args=[ticket.pk]), data).status_code == 403
    assert AssignedAction.objects.count() == 1


def test_an_overdue_action_shows_on_the_ticket_page(client):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    _overdue(_action(desk, ticket))
    client.force_login(desk.agent_l1)
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "1 action is overdue." in page


def _queue_queries(client, query: str = "") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("agent:queue") + query)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_queue_marks_and_filters_overdue_actions_without_a_query_per_line(client):
    desk = desk_make()
    ticket, guide = guided_ticket(desk)
    client.force_login(desk.agent_l1)
    _queue_queries(client)  # warm the session
    alone, _html = _queue_queries(client)
    others = [guided_ticket(desk, guide=guide)[0] for _ in range(8)]
    for other in others[:4]:
        _action(desk, other)  # open, not overdue
    for other in others[4:]:
        _overdue(_action(desk, other))

    count, html = _queue_queries(client)
    filtered_count, filtered = _queue_queries(client, "?overdue=1")

    assert count == alone and filtered_count == alone
    assert html.count('class="badge overdue"') == 4
    shown = {int(pk) for pk in __import__("re").findall(r'/agent/tickets/(\d+)/"', filtered)}
    assert shown == {t.pk for t in others[4:]}
    assert ticket.pk not in shown


# -- portal --------------------------------------------------------------------------------------


def test_the_sites_admin_answers_from_the_portal_and_the_history_records_it(client):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    client.force_login(desk.site_admin)
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "Questions about the problem" in page

    response = client.post(reverse("portal:guide_save", args=[ticket.pk]), GOOD, **HX)

    assert response.status_code == 200
    assert "your answers were saved" in response.content.decode()
    event = TicketEvent.objects.filter(ticket=ticket).latest("seq")
    assert event.actor_id == desk.site_admin.pk and event.data["answers"]["powered"] == "no"


def test_another_sites_admin_gets_404_on_the_guide_and_on_someone_elses_action(client):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    action = _action(desk, ticket)
    client.force_login(desk.other_site_admin)
    assert client.post(reverse("portal:guide_save", args=[ticket.pk]), GOOD).status_code == 404
    done = client.post(reverse("portal:action_done", args=[action.pk]), {"comment": "ok"})
    assert done.status_code == 404
    assert "Check that the device" not in client.get(reverse("portal:actions")).content.decode()
    # the requester sees the ticket but the action is the site admin's
    client.force_login(desk.requester)
    done = client.post(reverse("portal:action_done", args=[action.pk]), {"comment": "ok"})
    assert done.status_code == 404
    action.refresh_from_db()
    assert action.completed_at is None and not GuideAnswers.objects.exists()


def test_my_actions_lists_only_mine_and_completes_with_a_photo(client):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    mine = _action(desk, ticket)
    _action(desk, ticket, assignee=desk.requester)
    client.force_login(desk.site_admin)
    page = client.get(reverse("portal:actions")).content.decode()
    assert page.count('class="card action') == 1

    response = client.post(
        reverse("portal:action_done", args=[mine.pk]),
        {"comment": "Plugged in", "photo": SimpleUploadedFile("cable.png", PNG, "image/png")},
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.completed_at is not None
    article = Article.objects.get(pk=mine.article_id)
    assert article.attachments.get().content_type == "image/png"
    client.force_login(desk.agent_l1)
    agent_page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Plugged in" in agent_page and "cable.png" in agent_page


def test_a_disguised_photo_is_refused_on_the_page_and_the_action_stays_open(client):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    action = _action(desk, ticket)
    client.force_login(desk.site_admin)
    response = client.post(
        reverse("portal:action_done", args=[action.pk]),
        {"photo": SimpleUploadedFile("cable.jpg", b"MZ\x90\x00 program", "image/jpeg")},
    )
    assert response.status_code == 422
    action.refresh_from_db()
    assert action.completed_at is None
    assert not Article.objects.filter(ticket=ticket, body__startswith="Action done").exists()


# -- escalation to the vendor --------------------------------------------------------------------


def _incident(desk, ticket):
    device = Device.objects.create(
        site=desk.site, serial="PC-0042", model="Counter 3", location="Main entrance"
    )
    # As the scan raises it (devices' part): a monitoring incident about the device.
    Ticket.objects.filter(pk=ticket.pk).update(device=device, channel=Channel.MONITORING)
    rule = ScanRule.objects.create(
        name="Silent",
        kind="device_silent",
        threshold=3,
        category=ticket.category,
        message_en="{device} is silent",
    )
    now = timezone.now()
    HealthIncident.objects.create(
        rule=rule,
        subject_key=f"device:{device.pk}",
        device=device,
        site=desk.site,
        ticket=ticket,
        figures={"days_silent": 4},
        opened_at=now,
        last_failed_at=now,
        last_noted_at=now,
    )
    return device


def test_an_incident_escalated_to_the_vendor_carries_device_figures_and_answers(client):
    desk = desk_make()
    desk.vendor.language = "es"
    desk.vendor.save()
    ticket, _guide = guided_ticket(desk)
    _incident(desk, ticket)
    guide_answers_save(ticket=ticket, actor=desk.site_admin, answers=GOOD)
    ticket.refresh_from_db()
    before = ticket.history_seq
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Hardware fault"
    )
    ticket.refresh_from_db()

    notify_for_events(ticket_id=ticket.pk, seqs=list(range(before + 1, ticket.history_seq + 1)))

    mail = OutgoingMessage.objects.get(kind=OutgoingKind.VENDOR_ESCALATION)
    for text in (
        "PC-0042",
        "Counter 3",
        "Main entrance",
        "Días sin señal de vida: 4",
        "¿El dispositivo tiene corriente? No",
        "desconectado",
    ):
        assert text in mail.body_text
    assert desk.requester.email not in mail.body_text
    assert desk.site_admin.email not in mail.body_text

    client.force_login(desk.vendor_agent)
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Incident brief" in page and "PC-0042" in page and "Road works outside." in page
    assert "Save the answers" not in page and "Assign an action" not in page
    assert desk.site_admin.display_name() not in page


def test_a_ticket_without_device_or_guide_escalates_as_before():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug"
    )
    ticket.refresh_from_db()
    notify_for_events(ticket_id=ticket.pk, seqs=list(range(1, ticket.history_seq + 1)))
    mail = OutgoingMessage.objects.get(kind=OutgoingKind.VENDOR_ESCALATION)
    assert "Device:" not in mail.body_text and "Figures:" not in mail.body_text


def _page_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_ticket_pages_cost_the_same_with_one_or_six_actions(client):
    desk = desk_make()
    few, guide = guided_ticket(desk)
    many, _guide = guided_ticket(desk, guide=guide)
    for ticket, n in ((few, 1), (many, 6)):
        guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=GOOD)
        for i in range(n):
            _action(desk, ticket, assignee=desk.site_admin if i % 2 else desk.requester)
    client.force_login(desk.agent_l1)
    agent = [_page_queries(client, reverse("agent:ticket", args=[t.pk])) for t in (few, many)]
    client.force_login(desk.site_admin)
    portal = [_page_queries(client, reverse("portal:ticket", args=[t.pk])) for t in (few, many)]
    assert agent[0] == agent[1] and portal[0] == portal[1]
