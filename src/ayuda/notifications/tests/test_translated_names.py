"""Mails name states in the recipient's language, whoever made the change and in whatever
language they work (issue 8)."""

import pytest
from django.utils import translation

from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets import services
from ayuda.tickets.models import StateCategory, TicketState
from ayuda.tickets.tests.factories import desk_make, ticket_in

pytestmark = pytest.mark.django_db


def last_state_mail(ticket) -> OutgoingMessage:
    return (
        OutgoingMessage.objects.filter(ticket=ticket, kind=OutgoingKind.STATE_CHANGED)
        .order_by("-pk")
        .first()
    )


def test_an_italian_requester_reads_the_italian_name_of_a_state_an_english_agent_chose(
    committed,
):
    # given
    desk = desk_make()
    desk.requester.language = "it"
    desk.requester.save()
    state = TicketState.objects.create(
        name="Waiting for parts",
        name_i18n={"es": "Esperando piezas", "it": "In attesa di ricambi"},
        category=StateCategory.PENDING_CUSTOMER,
        position=35,
    )
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)

    # when: the agent works in English
    with translation.override("en"):
        committed(services.ticket_change_state, ticket=ticket, actor=desk.agent_l1, state=state)

    # then
    message = last_state_mail(ticket)
    assert message.language == "it"
    assert "In attesa di ricambi" in message.subject
    assert "Waiting for parts" not in message.subject + message.body_text + message.body_html


def test_a_spanish_requester_reads_resuelto_when_an_english_agent_resolves(committed):
    # given
    desk = desk_make()
    desk.requester.language = "es"
    desk.requester.save()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)

    # when
    with translation.override("en"):
        committed(services.ticket_resolve, ticket=ticket, actor=desk.agent_l1, solution="Hecho.")

    # then
    subject = last_state_mail(ticket).subject
    assert "«Resuelto»" in subject or "“Resuelto”" in subject
    assert "Resolved" not in subject


def test_a_state_without_the_recipients_language_is_named_as_configured(committed):
    # given
    desk = desk_make()
    desk.requester.language = "it"
    desk.requester.save()
    state = TicketState.objects.create(
        name="Waiting for parts",
        name_i18n={"es": "Esperando piezas"},
        category=StateCategory.PENDING_CUSTOMER,
        position=35,
    )
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)

    # when
    with translation.override("es"):
        committed(services.ticket_change_state, ticket=ticket, actor=desk.agent_l1, state=state)

    # then
    assert "Waiting for parts" in last_state_mail(ticket).subject
