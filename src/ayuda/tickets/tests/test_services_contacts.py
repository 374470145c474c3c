"""Phone calls and walk-ins an agent logs (contact_log), including log-and-resolve."""

import pytest

from ayuda.accounts.models import Role
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import (
    ArticleKind,
    Channel,
    EventAction,
    SenderRole,
    StateCategory,
    Ticket,
    TicketEvent,
)
from ayuda.tickets.tests.factories import desk_make, events_after, state_get

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("channel", "kind"),
    [(Channel.PHONE, ArticleKind.PHONE), (Channel.WALK_IN, ArticleKind.WALK_IN)],
)
def test_contact_log_records_the_call_as_a_ticket_for_the_customer(channel, kind):
    # given
    desk = desk_make()

    # when
    ticket = services.contact_log(
        actor=desk.agent_l1,
        requester=desk.requester,
        channel=channel,
        subject="Cannot log in",
        description="Called about a locked account.",
        site=desk.site,
    )

    # then
    ticket.refresh_from_db()
    assert (ticket.requester, ticket.channel, ticket.state_category, ticket.site) == (
        desk.requester,
        channel,
        StateCategory.NEW,
        desk.site,
    )
    article = ticket.articles.get()
    assert (article.kind, article.sender_role, article.author) == (
        kind,
        SenderRole.CUSTOMER,
        desk.requester,  # the customer spoke; the event says who logged it
    )
    created = ticket.events.get()
    assert (created.action, created.actor) == (EventAction.CREATED, desk.agent_l1)
    assert created.data["logged_by_agent"] is True


def test_log_and_resolve_in_one_step():
    # given
    desk = desk_make()

    # when
    ticket = services.contact_log(
        actor=desk.agent_l1,
        requester=desk.requester,
        channel=Channel.PHONE,
        subject="Opening hours",
        description="When are you open?",
        resolve_now=True,
        solution="Monday to Friday, 8 to 18.",
    )

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == StateCategory.RESOLVED
    assert ticket.solution == "Monday to Friday, 8 to 18."
    assert ticket.first_response_at is not None
    assert events_after(ticket, 0) == [
        (EventAction.CREATED, "", "", "Opening hours"),
        (EventAction.ARTICLE_ADDED, "", "", ""),
        (EventAction.CHANGED, "state", state_get("new").name, state_get("resolved").name),
        (EventAction.RESOLVED, "solution", "", "Monday to Friday, 8 to 18."),
    ]
    assert list(ticket.articles.order_by("id").values_list("sender_role", "internal")) == [
        (SenderRole.CUSTOMER, False),
        (SenderRole.AGENT, False),
    ]


def test_log_and_resolve_without_an_answer_creates_nothing():
    # given
    desk = desk_make()

    # when
    with pytest.raises(ValidationError) as refused:
        services.contact_log(
            actor=desk.agent_l1,
            requester=desk.requester,
            channel=Channel.PHONE,
            subject="Opening hours",
            description="When are you open?",
            resolve_now=True,
            solution="  ",
        )

    # then
    assert refused.value.field == "solution"
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_only_help_desk_staff_log_contacts(role):
    # given
    desk = desk_make()

    # when
    with pytest.raises(PermissionDeniedError):
        services.contact_log(
            actor=desk.user(role),
            requester=desk.requester,
            channel=Channel.PHONE,
            subject="Call",
            description="A call",
        )

    # then
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.PORTAL, Channel.CHAT])
def test_a_contact_is_a_phone_call_or_a_walk_in(channel):
    # given
    desk = desk_make()

    # when
    with pytest.raises(ValidationError) as refused:
        services.contact_log(
            actor=desk.agent_l1,
            requester=desk.requester,
            channel=channel,
            subject="Call",
            description="A call",
        )

    # then
    assert refused.value.field == "channel"
    assert not Ticket.objects.exists()


def test_the_caller_must_be_a_customer():
    # given
    desk = desk_make()

    # when
    with pytest.raises(ValidationError) as refused:
        services.contact_log(
            actor=desk.agent_l1,
            requester=desk.agent_l2,
            channel=Channel.WALK_IN,
            subject="Coffee",
            description="Came by for coffee",
        )

    # then
    assert refused.value.field == "requester"
    assert not Ticket.objects.exists()


def test_contact_for_a_site_of_another_organisation_is_refused():
    # given
    desk = desk_make()

    # when
    with pytest.raises(ValidationError) as refused:
        services.contact_log(
            actor=desk.agent_l1,
            requester=desk.requester,
            channel=Channel.PHONE,
            subject="Call",
            description="A call",
            site=desk.other_site,
        )

    # then
    assert refused.value.field == "site"
    assert not Ticket.objects.exists()
