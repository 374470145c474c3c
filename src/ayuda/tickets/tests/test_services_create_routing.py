"""Where a new ticket arrives: the front line (level 1) receives every ticket first; a category
goes straight to level 2 only when an administrator says so (issue 8, the seeds' process)."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError

from ayuda.accounts.models import Level
from ayuda.tickets import services
from ayuda.tickets.models import Category, Channel
from ayuda.tickets.tests.factories import desk_make

pytestmark = pytest.mark.django_db


def _create(desk, category):
    return services.ticket_create(
        requester=desk.requester,
        actor=desk.requester,
        subject="The POS software crashes",
        description="On every refund.",
        category=category,
        site=desk.site,
        channel=Channel.PORTAL,
    )


def test_a_category_handled_by_level_2_still_reaches_level_1_first():
    # given
    desk = desk_make()
    category = Category.objects.create(name="POS software", default_team=desk.l2_team)

    # when
    ticket = _create(desk, category)

    # then
    assert ticket.level == Level.L1
    assert ticket.team is None


def test_a_category_an_administrator_routes_to_level_2_goes_there():
    # given
    desk = desk_make()
    category = Category.objects.create(
        name="POS software", default_team=desk.l2_team, routes_to_level_2=True
    )

    # when
    ticket = _create(desk, category)

    # then
    assert ticket.level == Level.L2
    assert ticket.team == desk.l2_team


def test_a_level_1_default_team_receives_the_ticket():
    # given
    desk = desk_make()
    category = Category.objects.create(name="Printers", default_team=desk.l1_team)

    # when
    ticket = _create(desk, category)

    # then
    assert (ticket.level, ticket.team) == (Level.L1, desk.l1_team)


def test_routing_to_level_2_needs_a_level_2_team():
    # given
    desk = desk_make()
    category = Category(name="Printers", default_team=desk.l1_team, routes_to_level_2=True)

    # when / then
    with pytest.raises(DjangoValidationError) as error:
        category.full_clean()
    assert "routes_to_level_2" in error.value.message_dict
