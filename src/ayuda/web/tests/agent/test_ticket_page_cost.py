"""The ticket pages cost the same number of queries with 3 or 30 messages, events and files."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.tests.factories import ticket_make

from .conftest import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # no select-box lists left by another test
    yield
    cache.clear()


def _busy_ticket(desk, entries: int):
    """A ticket with ``entries`` public messages (each with a file), internal notes and
    history events (a state or team change comes with each message)."""
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    for i in range(entries):
        services.article_add_reply(
            ticket=ticket,
            actor=desk.agent_l1,
            body=f"Reply {i}",
            attachments=[IncomingFile(f"shot{i}.png", PNG)],
        )
        services.article_add_customer(ticket=ticket, author=desk.requester, body=f"Answer {i}")
        services.article_add_note(ticket=ticket, actor=desk.agent_l1, body=f"Note {i}")
    return ticket


def _queries(client, url) -> int:
    client.get(url)  # the session and the select-box lists, as on any later visit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("lists_cached", "expected"),
    [
        # session, user, ticket, messages, their files, events, the SLA panel's targets and
        # timeline (R22) (the lists' version is read from the test settings' local-memory
        # cache: no query)
        (True, 8),
        # the same and the five select-box lists: teams, agents, categories, states, vendors,
        # the published decision trees (R18) and the active bulletins (the banner and the
        # "Known problem" card)
        (False, 15),
    ],
)
def test_agent_ticket_page_costs_the_same_with_3_and_30_entries(
    client, desk, lists_cached, expected
):
    # given
    few, many = _busy_ticket(desk, 3), _busy_ticket(desk, 30)
    assert many.articles.count() == 91 and many.attachments.count() == 30
    client.force_login(desk.agent_l1)

    # when
    with override_settings(AYUDA_LOOKUP_CACHE_SECONDS=60 if lists_cached else 0):
        counts = [_queries(client, reverse("agent:ticket", args=[t.pk])) for t in (few, many)]

    # then
    assert counts == [expected, expected]


def test_portal_ticket_page_costs_the_same_with_3_and_30_entries(client, desk):
    # given
    few, many = _busy_ticket(desk, 3), _busy_ticket(desk, 30)
    client.force_login(desk.requester)

    # when
    counts = [_queries(client, reverse("portal:ticket", args=[t.pk])) for t in (few, many)]

    # then: session, user, ticket, public messages, their files
    assert counts == [5, 5]
