"""The ticket page: details, the merged timeline, the history page, a constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import ArticleKind, TicketEvent
from ayuda.tickets.tests.factories import category_make, ticket_make

from .conftest import HX, PNG

pytestmark = pytest.mark.django_db


def _page(client, ticket, **extra):
    return client.get(reverse("agent:ticket", args=[ticket.pk]), **extra)


def test_ticket_url_name():
    assert reverse("agent:ticket", args=[7]) == "/agent/tickets/7/"


def test_ticket_page_shows_every_detail_including_the_environment(client, desk):
    # given
    category = category_make(
        name="Back office",
        is_software=True,
        extra_fields=[{"name": "store", "label": "Store code", "type": "text"}],
    )
    ticket = ticket_make(
        requester=desk.requester,
        site=desk.site,
        category=category,
        environment={
            "url": "https://shop.example/admin",
            "software_version": "4.2.1",
            "software_edition": "Enterprise",
            "steps_to_reproduce": "Open orders\nClick export",
            "browser": "Firefox 140",
            "operating_system": "Windows 11",
        },
        extra={"store": "MAD-01"},
    )
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug", reference="VX-9"
    )
    client.force_login(desk.agent_l1)
    # when
    html = _page(client, ticket).content.decode()
    # then
    for text in (
        ticket.subject,
        desk.requester.email,
        desk.organisation.name,
        desk.site.name,
        "Back office",
        "https://shop.example/admin",
        "4.2.1",
        "Enterprise",
        "Open orders<br>Click export",
        "Firefox 140",
        "Windows 11",
        "Store code",
        "MAD-01",
        desk.vendor.name,
        "VX-9",
        "Pending vendor",
    ):
        assert text in html, text


def test_timeline_escapes_text_and_keeps_line_breaks(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, description="<script>alert(1)</script>\nBye")
    client.force_login(desk.agent_l1)
    # when
    html = _page(client, ticket).content.decode()
    # then
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Bye" in html


def test_timeline_renders_sanitised_mail_html_only_where_there_is_some(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, description="<b>plain</b>")
    services.article_add_customer(
        ticket=ticket,
        author=desk.requester,
        body="bold text",
        kind=ArticleKind.EMAIL,
        body_html="<p><b>bold</b> text</p>",
    )
    client.force_login(desk.agent_l1)
    # when
    html = _page(client, ticket).content.decode()
    # then
    assert "<p><b>bold</b> text</p>" in html
    assert "&lt;b&gt;plain&lt;/b&gt;" in html


def test_internal_notes_look_different_from_public_messages(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    note = services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="Secret")
    reply = services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Hello")
    client.force_login(desk.agent_l1)
    # when
    html = _page(client, ticket).content.decode()
    # then
    assert f'id="article-{note.pk}" class="article agent internal"' in html
    assert f'id="article-{reply.pk}" class="article agent public"' in html


def test_vendor_agent_does_not_see_help_desk_internal_notes(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="Internal only")
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug"
    )
    services.article_add_note(ticket=ticket, actor=desk.vendor_agent, body="Vendor says hi")
    client.force_login(desk.vendor_agent)
    # when
    html = _page(client, ticket).content.decode()
    # then
    assert "Vendor says hi" in html
    assert "Internal only" not in html


def test_timeline_shows_escalations_with_mode_team_and_reason(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, team=desk.l1_team)
    services.ticket_escalate(
        ticket=ticket, actor=desk.agent_l1, team=desk.l2_team, mode="referral", reason="Deep bug"
    )
    client.force_login(desk.agent_l1)
    # when
    html = _page(client, ticket).content.decode()
    # then
    assert f"Level 2 · {desk.l2_team.name}" in html
    assert "Referral: level 2 answers, level 1 keeps ownership" in html
    assert "Reason: Deep bug" in html
    assert f"Referred to {desk.l2_team.name}" in html


def test_timeline_event_values_are_labels_in_english(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    services.ticket_qualify(
        ticket=ticket, actor=desk.agent_l1, category=None, type="problem", priority=4
    )
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    desk.agent_l1.first_name = "Lucía"
    desk.agent_l1.save()
    client.force_login(desk.agent_l1)
    # when
    events = [e.event for e in _page(client, ticket).context["timeline"] if e.kind == "event"]
    # then
    described = {(e.field, e.old, e.new) for e in events if e.field}
    assert ("priority", "Normal", "Urgent") in described
    assert ("type", "Incident", "Problem") in described
    assert ("owner", "", desk.agent_l1.display_name()) in described
    assert ("state", "New", "Open") in described


def test_htmx_request_gets_only_the_ticket_panel(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _page(client, ticket, **HX)
    # then
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-panel"')
    assert "<html" not in html


def test_every_action_form_carries_the_ticket_version_and_works_without_js(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    response = _page(client, ticket)
    # then
    html = response.content.decode()
    slugs = [af.action.slug for af in response.context["action_forms"]]
    assert slugs == [
        "reply",
        "note",
        "assign",
        "qualify",
        "state",
        "escalate",
        "escalate-vendor",
        "delay-reason",
        "forward",
        "resolve",
    ]
    for slug in slugs:
        url = reverse("agent:ticket_action", args=[ticket.pk, slug])
        assert f'<form method="post" action="{url}"' in html
        assert f'hx-post="{url}"' in html
    assert html.count(f'name="version" value="{ticket.version}"') == len(slugs)
    assert html.count('name="csrfmiddlewaretoken"') >= len(slugs)
    assert 'enctype="multipart/form-data"' in html and "multiple" in html


def _count_queries(client, ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = _page(client, ticket)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["agent_l1", "vendor_agent"])
def test_ticket_page_query_count_does_not_grow_with_the_timeline(client, desk, role):
    # given
    hardware = category_make(name="Hardware")
    small = ticket_make(requester=desk.requester, category=hardware, site=desk.site)
    big = ticket_make(requester=desk.requester, category=hardware, site=desk.site)
    for ticket in (small, big):
        services.ticket_escalate_to_vendor(
            ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug"
        )
    for i in range(8):
        services.article_add_reply(
            ticket=big,
            actor=desk.agent_l1 if i % 2 else desk.manager,
            body=f"Reply {i}",
            attachments=[IncomingFile(f"s{i}.png", PNG), IncomingFile(f"t{i}.log", b"log")],
        )
        services.article_add_note(ticket=big, actor=desk.vendor_agent, body=f"Note {i}")
    client.force_login(getattr(desk, role))
    _page(client, small)  # warm the session
    # when
    few = _count_queries(client, small)
    many = _count_queries(client, big)
    # then
    assert few == many
    assert many == TICKET_PAGE_QUERIES[role]


# Select-box lists not cached in tests (docs/performance.md: 7 for a busy ticket with them
# cached, as in production). A vendor's page loads no list of the help desk's agents, but the
# list of states, to name the timeline's state changes in the reader's language. Each also
# reads the list of categories that have a guide (knowledge, cached like the others), as the
# ticket has a category.
# The SLA panel (R22) adds two: the clocks' targets and their timelines (a vendor agent's are
# its own vendor's clock only).
# The help desk's page also reads the list of published decision trees (R18, cached like the
# others); a vendor agent gets no tree card. Every agent page reads the active bulletins (the
# banner and the "Known problem" card; cached outside tests).
TICKET_PAGE_QUERIES = {"agent_l1": 15, "vendor_agent": 11}


def test_with_the_select_box_lists_cached_the_ticket_page_takes_eight_queries(
    client, desk, settings
):
    # given: the lists cached, as in production (there the lists' version is one more read,
    # from the database cache; the tests' cache is in memory)
    from django.core.cache import cache

    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    for i in range(4):
        services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body=f"Reply {i}")
    client.force_login(desk.agent_l1)
    _page(client, ticket)  # fills the cache

    # when
    count = _count_queries(client, ticket)

    # then: session, user, ticket, articles, their attachments, events, and the SLA panel's
    # targets and timeline (R22)
    assert count == 8


def test_history_lists_every_event_with_a_short_hash(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Hi")
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))
    client.force_login(desk.agent_l1)
    # when
    response = client.get(reverse("agent:history", args=[ticket.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert [ev.event.seq for ev in response.context["events"]] == [e.seq for e in events]
    for event in events:
        assert f'<code title="{event.hash}">{event.hash[:12]}</code>' in html
    assert "Message added" in html and "Created" in html


def test_history_of_someone_elses_vendor_ticket_is_not_found(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.vendor_agent)
    # when
    response = client.get(reverse("agent:history", args=[ticket.pk]))
    # then
    assert response.status_code == 404


def test_unknown_ticket_is_not_found(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.get(reverse("agent:ticket", args=[999999]))
    # then
    assert response.status_code == 404
