"""A solution is required to resolve, unless the category says a closing message will do."""

import pytest

from ayuda.core.errors import ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import Article, StateCategory
from ayuda.tickets.tests.factories import category_make, desk_make, footprint, ticket_in

pytestmark = pytest.mark.django_db


def test_a_blank_solution_is_refused_by_default_and_changes_nothing():
    # given
    desk = desk_make()
    ticket = ticket_in(StateCategory.OPEN, desk=desk, category=category_make(name="Printers"))
    before = footprint(ticket)
    # when
    with pytest.raises(ValidationError) as error:
        services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="   ")
    # then
    assert error.value.field == "solution"
    assert footprint(ticket) == before


def test_a_category_without_required_solution_resolves_with_none_and_sends_no_message():
    # given
    desk = desk_make()
    category = category_make(name="General question", solution_required=False)
    ticket = ticket_in(StateCategory.OPEN, desk=desk, category=category)
    articles = Article.objects.filter(ticket=ticket).count()
    # when
    services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="")
    # then
    ticket.refresh_from_db()
    assert ticket.state_category == StateCategory.RESOLVED
    assert ticket.solution == ""
    assert Article.objects.filter(ticket=ticket).count() == articles


def test_a_category_without_required_solution_still_sends_one_that_is_written():
    desk = desk_make()
    category = category_make(name="General question", solution_required=False)
    ticket = ticket_in(StateCategory.OPEN, desk=desk, category=category)
    services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Opening hours: 9-18.")
    ticket.refresh_from_db()
    assert ticket.solution == "Opening hours: 9-18."
    assert Article.objects.filter(ticket=ticket, body="Opening hours: 9-18.").exists()
