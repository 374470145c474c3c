"""Hand-back only of an escalated ticket, by the level holding it (issue 8): the service refuses
everything else with a translated reason and changes nothing."""

import pytest
from django.utils import translation

from ayuda.accounts.models import Level
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.tests.factories import desk_make, footprint

from .test_permissions_hand_back import (
    arrived_at_level_1,
    back_from_the_vendor_at_level_2,
    routed_to_level_2,
    transferred_to_level_2,
    with_the_vendor_from_level_2,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("make", "who", "error", "message", "spanish"),
    [
        (
            routed_to_level_2,
            "agent_l2",
            ValidationError,
            "This ticket came to level 2 without an escalation: there is no one to hand it "
            "back to.",
            "Este ticket llegó al nivel 2 sin escalado: no hay nadie a quien devolverlo.",
        ),
        (
            arrived_at_level_1,
            "agent_l1",
            ValidationError,
            "There is no lower level to hand this ticket back to.",
            "No hay un nivel inferior al que devolver este ticket.",
        ),
        (
            transferred_to_level_2,
            "agent_l1",
            PermissionDeniedError,
            "Only level 2 hands this ticket back.",
            "Solo el nivel 2 devuelve este ticket.",
        ),
        (
            with_the_vendor_from_level_2,
            "agent_l1",
            PermissionDeniedError,
            "Only the vendor, or the level that escalated the ticket to it, hands it back.",
            "Solo el proveedor, o el nivel que le escaló el ticket, lo devuelve.",
        ),
    ],
    ids=["routed-to-l2", "never-escalated", "l1-on-l2", "l1-on-vendor-from-l2"],
)
def test_hand_back_is_refused_with_the_reason(make, who, error, message, spanish):
    # given
    desk = desk_make()
    ticket = make(desk)
    ticket.refresh_from_db()
    before = footprint(ticket)
    actor = getattr(desk, who)

    # when
    with pytest.raises(error) as refused:
        services.ticket_hand_back(ticket=ticket, actor=actor, answer="Try this")
    with translation.override("es"), pytest.raises(error) as refused_es:
        services.ticket_hand_back(ticket=ticket, actor=actor, answer="Try this")

    # then
    assert refused.value.message == message
    assert refused_es.value.message == spanish
    assert footprint(ticket) == before


def test_level_2_hands_back_to_level_1_after_the_vendor_handed_back_to_it():
    # given: level 1 -> level 2 (transfer) -> vendor -> back to level 2
    desk = desk_make()
    ticket = back_from_the_vendor_at_level_2(desk)
    ticket.refresh_from_db()
    assert ticket.level == Level.L2

    # when
    services.ticket_hand_back(ticket=ticket, actor=desk.agent_l2, answer="Firmware fixed it")

    # then
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team) == (Level.L1, desk.l1_team)


def test_a_manager_hands_back_for_level_2():
    # given
    desk = desk_make()
    ticket = transferred_to_level_2(desk)

    # when
    services.ticket_hand_back(ticket=ticket, actor=desk.manager, answer="Restart it")

    # then
    ticket.refresh_from_db()
    assert ticket.level == Level.L1
