"""A call or a visit an agent logged is shown to the customer as the help desk's record of it,
never as if the customer wrote it ("You") (issue 8)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.tickets import services
from ayuda.tickets.models import Channel
from ayuda.tickets.tests.factories import desk_make

pytestmark = pytest.mark.django_db


def _log(desk, channel):
    return services.contact_log(
        actor=desk.agent_l1,
        requester=desk.requester,
        channel=channel,
        subject="Till 3 does not print",
        description="Customer called: till 3 prints blank receipts since this morning.",
        site=desk.site,
    )


ITEM = r'<li id="article-\d+" class="(\w+)">\s*<div class="meta">'


def _first_article_meta(html: str) -> str:
    """The byline of the conversation's first message."""
    item = re.search(ITEM + r"(.*?)</div>", html, re.S)
    assert item is not None
    return item.group(1) + " | " + re.sub(r"\s+", " ", item.group(2))


@pytest.mark.parametrize(
    ("channel", "byline"),
    [(Channel.PHONE, "Phone call logged by"), (Channel.WALK_IN, "Visit logged by")],
)
def test_a_logged_contact_is_the_help_desks_record_not_the_customers_message(
    client, channel, byline
):
    # given
    desk = desk_make()
    ticket = _log(desk, channel)
    client.force_login(desk.requester)

    # when
    html = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()

    # then
    meta = _first_article_meta(html)
    assert "You" not in meta
    assert f"{byline} {desk.agent_l1.display_name()}" in meta
    assert meta.startswith("support | ")
    assert "prints blank receipts" in html


def test_the_record_reads_in_the_customers_language(client):
    # given
    desk = desk_make()
    ticket = _log(desk, Channel.PHONE)
    desk.requester.language = "es"
    desk.requester.save()
    client.force_login(desk.requester)

    # when
    html = client.get(
        reverse("portal:ticket", args=[ticket.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    # then
    assert f"Llamada registrada por {desk.agent_l1.display_name()}" in _first_article_meta(html)


def test_the_customers_own_message_is_still_theirs(client):
    # given
    desk = desk_make()
    ticket = _log(desk, Channel.PHONE)
    services.article_add_customer(ticket=ticket, author=desk.requester, body="Still blank.")
    client.force_login(desk.requester)

    # when
    html = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()

    # then
    last = re.findall(ITEM + r"\s*<strong>(.*?)</strong>", html, re.S)[-1]
    assert last == ("customer", "You")


def test_a_logged_contact_costs_no_more_queries_than_a_portal_ticket(client):
    # given
    desk = desk_make()
    logged = _log(desk, Channel.PHONE)
    raised = services.ticket_create(
        requester=desk.requester,
        actor=desk.requester,
        subject="Printer",
        description="Jammed",
        channel=Channel.PORTAL,
    )
    client.force_login(desk.requester)
    client.get(reverse("portal:ticket", args=[raised.pk]))

    def count(ticket):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("portal:ticket", args=[ticket.pk])).status_code == 200
        return len(queries)

    # when
    counts = (count(raised), count(logged))

    # then: one more at most, for who logged it
    assert counts[1] - counts[0] <= 1
