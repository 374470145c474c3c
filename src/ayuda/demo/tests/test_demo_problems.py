"""The demo's known problem: an active public bulletin in three languages, linked tickets."""

import pytest
from django.utils import timezone

from ayuda.demo.problems import LINKED, problems_load
from ayuda.knowledge.models import Bulletin, BulletinStatus, ProblemLink
from ayuda.knowledge.problems_selectors import bulletins_active
from ayuda.tickets.models import EventAction, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_make

pytestmark = pytest.mark.django_db


def test_the_demo_bulletin_is_public_translated_and_has_linked_tickets():
    desk = desk_make()
    vpn = category_make(name="VPN")
    ticket_make(requester=desk.requester, category=vpn)

    bulletin = problems_load(now=timezone.now())
    again = problems_load(now=timezone.now())

    assert again is None
    assert Bulletin.objects.count() == 1
    assert bulletin.status == BulletinStatus.ACTIVE and bulletin.is_public
    assert set(bulletin.title_i18n) == set(bulletin.public_notice_i18n) == {"es", "it"}
    assert [b.pk for b in bulletins_active()] == [bulletin.pk]
    assert ProblemLink.objects.filter(problem=bulletin.problem).count() == LINKED
    assert TicketEvent.objects.filter(action=EventAction.PROBLEM_LINKED).count() == LINKED
