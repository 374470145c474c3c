"""Actions on the ticket page: each calls its service, redirects (no JS) or swaps the panel
(htmx), shows the service's refusal next to the form, and never overwrites a newer change."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Level
from ayuda.tickets import services
from ayuda.tickets.models import (
    Article,
    Attachment,
    EscalationMode,
    EventAction,
    StateCategory,
    TicketEvent,
)
from ayuda.tickets.tests.factories import (
    category_make,
    footprint,
    state_get,
    ticket_in,
    ticket_make,
)

from .conftest import HX, PNG

pytestmark = pytest.mark.django_db


def _post(client, ticket, action, data, **extra):
    data = {"version": ticket.version, **data}
    return client.post(reverse("agent:ticket_action", args=[ticket.pk, action]), data, **extra)


def _done(client, response, ticket, message: str):
    """PRG: back to the ticket page, which shows the success message once."""
    assert response.status_code == 302
    assert response["Location"] == reverse("agent:ticket", args=[ticket.pk])
    page = client.get(response["Location"]).content.decode()
    assert message in page
    ticket.refresh_from_db()


def test_reply_with_attachments_and_ask_the_customer(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    shot = _upload("screen.png", PNG)
    log = _upload("app.log", b"ERROR 42\n")
    # when
    response = _post(
        client,
        ticket,
        "reply",
        {"body": "Which model is it?", "ask_customer": "on", "attachments": [shot, log]},
    )
    # then
    _done(client, response, ticket, "Your reply was sent.")
    article = Article.objects.filter(ticket=ticket, internal=False).latest("id")
    assert article.body == "Which model is it?"
    assert sorted(a.filename for a in article.attachments.all()) == ["app.log", "screen.png"]
    assert ticket.state_category == StateCategory.PENDING_CUSTOMER
    assert ticket.first_response_at is not None


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_reply_refuses_a_renamed_executable_and_keeps_the_text(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    before = footprint(ticket)
    client.force_login(desk.agent_l1)
    # when
    response = _post(
        client,
        ticket,
        "reply",
        {"body": "See attached", "attachments": [_upload("photo.png", b"MZ\x90\x00evil")]},
    )
    # then
    html = response.content.decode()
    assert response.status_code == 422
    assert "“photo.png” is not an accepted file type" in html
    assert "See attached</textarea>" in html
    assert footprint(ticket) == before


def test_empty_reply_shows_the_services_message_on_the_field(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "reply", {"body": "   "})
    # then
    assert response.status_code == 422
    assert response.context["action_forms"][0].form.errors == {"body": ["Please write a message."]}
    assert 'id="id_reply_body_errors"' in response.content.decode()


def test_internal_note_with_attachment(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _post(
        client, ticket, "note", {"body": "Seen before", "attachments": _upload("a.png", PNG)}
    )
    # then
    _done(client, response, ticket, "Your note was added.")
    note = Article.objects.get(ticket=ticket, internal=True)
    assert note.body == "Seen before"
    assert Attachment.objects.get(article=note).filename == "a.png"


def test_assign_team_and_owner(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.manager)
    # when
    response = _post(client, ticket, "assign", {"team": desk.l1_team.pk, "owner": desk.agent_l1.pk})
    # then
    _done(client, response, ticket, "The ticket was assigned.")
    assert (ticket.team, ticket.owner) == (desk.l1_team, desk.agent_l1)


def test_assign_to_someone_outside_the_team_is_refused_on_the_owner_field(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.manager)
    # when
    response = _post(client, ticket, "assign", {"team": desk.l1_team.pk, "owner": desk.agent_l2.pk})
    # then
    assert response.status_code == 422
    failed = next(af for af in response.context["action_forms"] if af.action.slug == "assign")
    assert failed.open
    assert "is not a member of" in failed.form.errors["owner"][0]


def test_qualify_category_type_priority(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    hardware = category_make(name="Hardware")
    client.force_login(desk.agent_l1)
    # when
    response = _post(
        client,
        ticket,
        "qualify",
        {"category": hardware.pk, "type": "service_request", "priority": "4"},
    )
    # then
    _done(client, response, ticket, "Category, type and priority were saved.")
    assert (ticket.category, ticket.type, ticket.priority) == (hardware, "service_request", 4)


def test_qualify_rejects_an_unknown_priority_in_the_form(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    before = footprint(ticket)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "qualify", {"type": "incident", "priority": "99"})
    # then
    assert response.status_code == 422
    assert footprint(ticket) == before


def test_change_state(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "state", {"state": state_get(StateCategory.OPEN).pk})
    # then
    _done(client, response, ticket, "The state was changed.")
    assert ticket.state_category == StateCategory.OPEN


def test_change_state_of_a_vendor_ticket_is_refused_with_the_reason(client, desk):
    # given
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "state", {"state": state_get(StateCategory.OPEN).pk})
    # then
    assert response.status_code == 422
    assert "The ticket is with the vendor: hand it back first." in response.content.decode()


@pytest.mark.parametrize("mode", [EscalationMode.TRANSFER, EscalationMode.REFERRAL])
def test_escalate_to_level_2(client, desk, mode):
    # given
    ticket = ticket_make(requester=desk.requester, team=desk.l1_team)
    client.force_login(desk.agent_l1)
    # when
    response = _post(
        client,
        ticket,
        "escalate",
        {"team": desk.l2_team.pk, "mode": mode, "reason": "Database corruption"},
    )
    # then
    _done(client, response, ticket, "The ticket was escalated to level 2.")
    assert ticket.level == Level.L2
    if mode == EscalationMode.TRANSFER:
        assert ticket.team == desk.l2_team
    else:
        assert (ticket.team, ticket.referral_team) == (desk.l1_team, desk.l2_team)


def test_escalate_without_a_reason_is_refused(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, team=desk.l1_team)
    client.force_login(desk.agent_l1)
    # when
    response = _post(
        client, ticket, "escalate", {"team": desk.l2_team.pk, "mode": "transfer", "reason": ""}
    )
    # then
    assert response.status_code == 422
    assert "Say why the ticket is escalated." in response.content.decode()


def test_escalate_to_vendor_with_reference(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l2)
    # when
    response = _post(
        client,
        ticket,
        "escalate-vendor",
        {"vendor": desk.vendor.pk, "reason": "Firmware", "reference": "CASE-1"},
    )
    # then
    _done(client, response, ticket, "The ticket was escalated to the vendor.")
    assert (ticket.vendor, ticket.vendor_reference) == (desk.vendor, "CASE-1")
    assert ticket.state_category == StateCategory.PENDING_VENDOR


def test_vendor_agent_sets_its_reference_and_hands_back(client, desk):
    # given
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    client.force_login(desk.vendor_agent)
    # when
    first = _post(client, ticket, "vendor-reference", {"reference": "VND-5"})
    ticket.refresh_from_db()
    second = _post(client, ticket, "hand-back", {"answer": "Update the firmware to 2.1"})
    # then
    assert first.status_code == 302 and second.status_code == 302
    _done(client, second, ticket, "The ticket was handed back.")
    assert ticket.vendor_reference == "VND-5"
    assert ticket.state_category == StateCategory.OPEN
    assert ticket.level == Level.L1


def test_level_2_hands_a_transferred_ticket_back(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, team=desk.l1_team)
    services.ticket_escalate(
        ticket=ticket, actor=desk.agent_l1, team=desk.l2_team, mode="transfer", reason="Hard"
    )
    ticket.refresh_from_db()
    client.force_login(desk.agent_l2)
    # when
    response = _post(client, ticket, "hand-back", {"answer": "Restart the service."})
    # then
    _done(client, response, ticket, "The ticket was handed back.")
    assert (ticket.level, ticket.team) == (Level.L1, desk.l1_team)


def test_forward_to_another_team(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, team=desk.l1_team)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "forward", {"team": desk.l2_team.pk, "reason": "Network"})
    # then
    _done(client, response, ticket, "The ticket was forwarded.")
    assert ticket.team == desk.l2_team


def test_resolve_close_and_reopen(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when / then
    _done(client, _post(client, ticket, "resolve", {"solution": "Fixed"}), ticket, "resolved.")
    assert (ticket.state_category, ticket.solution) == (StateCategory.RESOLVED, "Fixed")
    _done(client, _post(client, ticket, "reopen", {"reason": "Back"}), ticket, "reopened.")
    assert ticket.state_category == StateCategory.OPEN
    _post(client, ticket, "resolve", {"solution": "Fixed again"})
    ticket.refresh_from_db()
    _done(client, _post(client, ticket, "close", {}), ticket, "The ticket was closed.")
    assert ticket.state_category == StateCategory.CLOSED


def test_resolve_without_solution_is_refused(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    before = footprint(ticket)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "resolve", {"solution": ""})
    # then
    assert response.status_code == 422
    assert "Write the solution before resolving the ticket." in response.content.decode()
    assert footprint(ticket) == before


def test_closing_an_open_ticket_is_refused(client, desk):
    # given
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "close", {})
    # then
    assert response.status_code == 422
    assert "Only a resolved ticket can be closed." in response.content.decode()


def test_second_agent_saving_the_same_version_gets_a_conflict_and_keeps_their_text(client, desk):
    # given: both agents opened the ticket at the same version
    ticket = ticket_make(requester=desk.requester)
    shown_version = ticket.version
    client.force_login(desk.agent_l1)
    first = _post(client, ticket, "assign", {"team": desk.l1_team.pk, "owner": desk.agent_l1.pk})
    assert first.status_code == 302
    after_first = footprint(ticket)
    # when: the second agent sends a reply with the version they were shown
    client.force_login(desk.agent_l2)
    second = client.post(
        reverse("agent:ticket_action", args=[ticket.pk, "reply"]),
        {"version": shown_version, "body": "My long careful answer"},
    )
    # then
    html = second.content.decode()
    assert second.status_code == 409
    assert "Someone else changed this ticket while you were working on it." in html
    assert "My long careful answer</textarea>" in html
    assert footprint(ticket) == after_first
    reply = next(af for af in second.context["action_forms"] if af.action.slug == "reply")
    assert reply.form["version"].value() == str(after_first.version)
    assert desk.agent_l1.display_name() in html  # the page shows the other agent's change


def test_conflict_on_a_state_change_overwrites_nothing(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    stale = {"version": ticket.version, "state": state_get(StateCategory.PENDING_CUSTOMER).pk}
    client.force_login(desk.agent_l1)
    _post(client, ticket, "state", {"state": state_get(StateCategory.OPEN).pk})
    ticket.refresh_from_db()
    before = footprint(ticket)
    # when
    response = client.post(reverse("agent:ticket_action", args=[ticket.pk, "state"]), stale)
    # then
    assert response.status_code == 409
    assert footprint(ticket) == before
    assert ticket.state_category == StateCategory.OPEN


def test_htmx_action_returns_the_refreshed_panel_with_the_message(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "note", {"body": "Quick note"}, **HX)
    # then
    html = response.content.decode()
    ticket.refresh_from_db()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="ticket-panel"')
    assert "Your note was added." in html and "Quick note" in html
    assert f'name="version" value="{ticket.version}"' in html
    assert "<html" not in html


def test_htmx_action_refusal_swaps_the_panel_with_the_error(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "resolve", {"solution": ""}, **HX)
    # then
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<div id="ticket-panel"')
    assert "Write the solution before resolving the ticket." in html
    assert '<details id="action-resolve" open>' in html


def test_htmx_conflict_swaps_the_panel_with_the_conflict(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    stale = ticket.version
    services.article_add_note(ticket=ticket, actor=desk.agent_l2, body="Meanwhile")
    client.force_login(desk.agent_l1)
    # when
    response = client.post(
        reverse("agent:ticket_action", args=[ticket.pk, "note"]),
        {"version": stale, "body": "Mine"},
        **HX,
    )
    # then
    assert response.status_code == 409
    assert "Someone else changed this ticket" in response.content.decode()
    assert not Article.objects.filter(ticket=ticket, body="Mine").exists()
    assert TicketEvent.objects.filter(ticket=ticket, action=EventAction.ARTICLE_ADDED).count() == 1


def test_action_needs_post(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = client.get(reverse("agent:ticket_action", args=[ticket.pk, "close"]))
    # then
    assert response.status_code == 405


def test_action_without_csrf_token_is_refused(desk):
    # given
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _post(client, ticket, "note", {"body": "x"})
    # then
    assert response.status_code == 403
    assert not Article.objects.filter(ticket=ticket, internal=True).exists()
