"""Messages on a ticket: customer messages, public replies (and asking the customer), notes."""

import uuid

import pytest
from django.core.files.storage import default_storage

from ayuda.accounts.models import Role
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import ArticleKind, EventAction, SenderRole, StateCategory
from ayuda.tickets.tests.factories import (
    desk_make,
    events_after,
    footprint,
    last_seq,
    state_get,
    ticket_in,
)
from ayuda.tickets.tests.files import bmp_bytes, png_bytes

pytestmark = pytest.mark.django_db

S = StateCategory


# --- customer messages --------------------------------------------------------------------


def test_customer_reply_on_a_resolved_ticket_reopens_it():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    seq = last_seq(ticket)

    # when
    article = services.article_add_customer(
        ticket=ticket, author=desk.requester, body="Still broken."
    )

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.OPEN
    assert ticket.resolved_at is None
    assert (article.sender_role, article.internal, article.kind) == (
        SenderRole.CUSTOMER,
        False,
        ArticleKind.PORTAL,
    )
    assert events_after(ticket, seq) == [
        (EventAction.ARTICLE_ADDED, "", "", ""),
        (EventAction.CHANGED, "state", state_get(S.RESOLVED).name, state_get(S.OPEN).name),
        (EventAction.REOPENED, "", "", ""),
    ]


def test_customer_reply_while_pending_customer_returns_the_ticket_to_open():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_CUSTOMER, desk=desk)
    seq = last_seq(ticket)

    # when
    services.article_add_customer(ticket=ticket, author=desk.requester, body="The HP one.")

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.OPEN
    assert events_after(ticket, seq) == [
        (EventAction.ARTICLE_ADDED, "", "", ""),
        (
            EventAction.CHANGED,
            "state",
            state_get(S.PENDING_CUSTOMER).name,
            state_get(S.OPEN).name,
        ),
    ]


@pytest.mark.parametrize("frm", [S.NEW, S.OPEN, S.PENDING_VENDOR])
def test_customer_reply_leaves_other_active_states_alone(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)
    seq = last_seq(ticket)

    # when
    services.article_add_customer(ticket=ticket, author=desk.requester, body="Any news?")

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == frm
    assert ticket.version == before.version + 1
    assert events_after(ticket, seq) == [(EventAction.ARTICLE_ADDED, "", "", "")]


def test_customer_reply_on_a_closed_ticket_is_refused():
    # given
    desk = desk_make()
    ticket = ticket_in(S.CLOSED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.article_add_customer(ticket=ticket, author=desk.requester, body="Hello?")

    # then
    assert footprint(ticket) == before


def test_site_admin_replies_on_a_ticket_of_their_site():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)

    # when
    services.article_add_customer(ticket=ticket, author=desk.site_admin, body="Same here.")

    # then
    assert ticket.articles.filter(author=desk.site_admin, internal=False).exists()


@pytest.mark.parametrize("who", ["other_requester", "other_site_admin"])
def test_customer_of_another_organisation_cannot_reply(who):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.article_add_customer(ticket=ticket, author=getattr(desk, who), body="Hi")

    # then
    assert footprint(ticket) == before


def test_customer_reply_needs_text():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError) as refused:
        services.article_add_customer(ticket=ticket, author=desk.requester, body="  ")

    # then
    assert refused.value.field == "body"
    assert footprint(ticket) == before


def test_customer_reply_with_a_bad_attachment_changes_nothing():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.article_add_customer(
            ticket=ticket,
            author=desk.requester,
            body="Screenshot attached",
            attachments=[IncomingFile("screen.bmp", bmp_bytes())],
        )

    # then
    assert footprint(ticket) == before


# --- replies ------------------------------------------------------------------------------


def test_first_reply_opens_a_new_ticket_and_sets_first_response():
    # given
    desk = desk_make()
    ticket = ticket_in(S.NEW, desk=desk)
    seq = last_seq(ticket)

    # when
    article = services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="On my way.")

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.OPEN
    assert ticket.first_response_at == article.created_at
    assert (article.sender_role, article.internal) == (SenderRole.AGENT, False)
    assert events_after(ticket, seq) == [
        (EventAction.ARTICLE_ADDED, "", "", ""),
        (EventAction.CHANGED, "state", state_get(S.NEW).name, state_get(S.OPEN).name),
    ]


def test_a_later_reply_keeps_the_first_response_time():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    first = ticket.first_response_at

    # when
    services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Update.")

    # then
    ticket.refresh_from_db()
    assert ticket.first_response_at == first


@pytest.mark.parametrize("frm", [S.NEW, S.OPEN, S.PENDING_CUSTOMER])
def test_ask_customer_waits_for_the_customer(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)

    # when
    services.article_add_reply(
        ticket=ticket, actor=desk.agent_l1, body="Serial number?", ask_customer=True
    )

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.PENDING_CUSTOMER


@pytest.mark.parametrize("frm", [S.PENDING_VENDOR, S.RESOLVED])
def test_ask_customer_is_refused_where_the_state_machine_forbids_it(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.article_add_reply(
            ticket=ticket,
            actor=desk.agent_l1,
            body="Serial number?",
            ask_customer=True,
            attachments=[IncomingFile("form.png", png_bytes())],
        )

    # then
    assert footprint(ticket) == before


def test_reply_on_a_closed_ticket_is_refused():
    # given
    desk = desk_make()
    ticket = ticket_in(S.CLOSED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Late answer")

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_public_reply_is_for_the_help_desk_only(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.article_add_reply(ticket=ticket, actor=desk.user(role), body="Hi")

    # then
    assert footprint(ticket) == before


def test_reply_with_an_attachment_records_it():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    seq = last_seq(ticket)

    # when
    article = services.article_add_reply(
        ticket=ticket,
        actor=desk.agent_l1,
        body="See the picture.",
        attachments=[IncomingFile("../../etc/diagram.png", png_bytes())],
    )

    # then
    attachment = article.attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "diagram.png",
        "image/png",
        len(png_bytes()),
    )
    assert attachment.file.read() == png_bytes()
    events = events_after(ticket, seq)
    assert events == [
        (EventAction.ARTICLE_ADDED, "", "", ""),
        (EventAction.ATTACHMENT_ADDED, "", "", "diagram.png"),
    ]


# --- notes --------------------------------------------------------------------------------


def test_note_is_internal_and_leaves_the_state_alone():
    # given
    desk = desk_make()
    ticket = ticket_in(S.NEW, desk=desk)
    before = footprint(ticket)
    seq = last_seq(ticket)

    # when
    note = services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="Call them.")

    # then
    ticket.refresh_from_db()
    assert (note.internal, note.sender_role, note.kind) == (True, SenderRole.AGENT, "note")
    assert ticket.state_category == S.NEW
    assert ticket.first_response_at is None
    assert ticket.version == before.version + 1
    assert events_after(ticket, seq) == [(EventAction.ARTICLE_ADDED, "", "", "")]


def test_vendor_agent_note_is_marked_as_from_the_vendor():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)

    # when
    note = services.article_add_note(ticket=ticket, actor=desk.vendor_agent, body="Patch soon.")

    # then
    assert (note.internal, note.sender_role) == (True, SenderRole.VENDOR)


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_note_refused_to_customers_and_to_a_vendor_without_the_ticket(role):
    # given: the ticket was never escalated to the vendor
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.article_add_note(ticket=ticket, actor=desk.user(role), body="psst")

    # then
    assert footprint(ticket) == before


def test_note_needs_text():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="")

    # then
    assert footprint(ticket) == before


def test_refused_ask_customer_leaves_no_attachment_file_in_storage():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    upload = IncomingFile(f"form-{uuid.uuid4().hex}.png", png_bytes())

    # when
    with pytest.raises(ValidationError):
        services.article_add_reply(
            ticket=ticket,
            actor=desk.agent_l1,
            body="Serial number?",
            ask_customer=True,
            attachments=[upload],
        )

    # then
    path = f"attachments/{ticket.pk}/{upload.digest()[:16]}/{upload.name}"
    assert not default_storage.exists(path)


def test_a_vendor_agent_cannot_write_as_the_customer():
    # given: a ticket escalated to the vendor, so the vendor agent can see it
    desk = desk_make()
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.article_add_customer(ticket=ticket, author=desk.vendor_agent, body="Fixed?")

    # then
    assert footprint(ticket) == before


def test_an_agent_logs_what_the_customer_said_on_the_phone():
    # given
    desk = desk_make()
    ticket = ticket_in(StateCategory.PENDING_CUSTOMER, desk=desk)

    # when
    article = services.article_add_customer(
        ticket=ticket,
        author=desk.agent_l1,
        body="Customer called: it works now",
        kind=ArticleKind.PHONE,
    )

    # then
    ticket.refresh_from_db()
    assert (article.sender_role, article.author) == (SenderRole.CUSTOMER, desk.requester)
    logged = ticket.events.get(action=EventAction.ARTICLE_ADDED, data__article_id=article.pk)
    assert logged.actor == desk.agent_l1
    assert ticket.state_category == StateCategory.OPEN
