"""The queue: filters (with and without htmx), keyset pages, age, saved views, query count."""

import zoneinfo
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ayuda.accounts.tests.factories import user_make
from ayuda.tickets import services
from ayuda.tickets.models import Channel, SavedView, StateCategory
from ayuda.tickets.selectors import PAGE_SIZE
from ayuda.tickets.tests.factories import category_make, ticket_in, ticket_make

from .conftest import HX

pytestmark = pytest.mark.django_db
QUEUE = "/agent/"


def _numbers(response) -> list[int]:
    return [row.ticket.pk for row in response.context["rows"]]


def test_queue_url_name():
    assert reverse("agent:queue") == QUEUE


def test_queue_lists_active_tickets_oldest_first_with_their_age(client, desk):
    # given
    now = timezone.now()
    young = ticket_make(requester=desk.requester, subject="Young", at=now - timedelta(hours=2))
    old = ticket_make(
        requester=desk.requester, subject="Old", at=now - timedelta(days=3, hours=4, minutes=5)
    )
    done = ticket_in(StateCategory.RESOLVED, desk=desk)
    client.force_login(desk.agent_l1)
    # when
    response = client.get(QUEUE)
    # then
    assert response.status_code == 200
    assert _numbers(response) == [old.pk, young.pk]
    assert done.pk not in _numbers(response)
    html = response.content.decode()
    assert "3 d 4 h" in html and "2 h 0 min" in html
    assert 'class="age age-old"' in html
    assert "Young" in html and "Old" in html


def test_queue_lines_escape_what_customers_wrote(client, desk):
    # given
    desk.requester.first_name = '<img src=x onerror="alert(1)">'
    desk.requester.save(update_fields=["first_name"])
    ticket = ticket_make(requester=desk.requester, subject="<script>alert('x')</script> & co")
    client.force_login(desk.agent_l1)
    # when
    html = client.get(QUEUE).content.decode()
    # then
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert f'<a href="/agent/tickets/{ticket.pk}/">{ticket.pk}</a>' in html


def test_age_title_shows_the_exact_creation_time_in_the_users_time_zone(client, desk):
    # given
    desk.agent_l1.timezone = "America/Mexico_City"
    desk.agent_l1.save(update_fields=["timezone"])
    ticket = ticket_make(requester=desk.requester, at=timezone.now() - timedelta(days=1))
    local = timezone.localtime(ticket.created_at, zoneinfo.ZoneInfo("America/Mexico_City"))
    client.force_login(desk.agent_l1)
    # when
    html = client.get(QUEUE).content.decode()
    # then
    assert f"Created {local:%Y-%m-%d %H:%M} (America/Mexico_City)" in html


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"status": "all"}, {"open", "mine", "l2", "phone", "resolved", "hw"}),
        ({"status": "resolved"}, {"resolved"}),
        ({"owner": "me"}, {"mine"}),
        ({"level": "2"}, {"l2"}),
        ({"channel": "phone"}, {"phone"}),
        ({"q": "keyboard"}, {"hw"}),
        ({"status": "bogus", "team": "nope", "owner": "x"}, {"open", "mine", "l2", "phone", "hw"}),
    ],
)
def test_queue_filters(client, desk, params, expect):
    # given
    hardware = category_make(name="Hardware")
    tickets = {
        "open": ticket_in(StateCategory.OPEN, desk=desk),
        "mine": ticket_make(requester=desk.requester),
        "l2": ticket_make(requester=desk.requester, team=desk.l2_team),
        "phone": ticket_make(requester=desk.requester, channel=Channel.PHONE),
        "resolved": ticket_in(StateCategory.RESOLVED, desk=desk),
        "hw": ticket_make(requester=desk.requester, subject="Keyboard dead", category=hardware),
    }
    services.ticket_assign(
        ticket=tickets["mine"], actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    client.force_login(desk.agent_l1)
    # when
    response = client.get(QUEUE, params)
    # then
    assert response.status_code == 200
    assert set(_numbers(response)) == {tickets[k].pk for k in expect}


def test_queue_filters_by_team_category_site_and_ticket_number(client, desk):
    # given
    hardware = category_make(name="Hardware")
    a = ticket_make(requester=desk.requester, team=desk.l2_team, category=hardware, site=desk.site)
    b = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    # when
    by_team = client.get(QUEUE, {"team": desk.l2_team.pk})
    by_category = client.get(QUEUE, {"category": hardware.pk})
    by_site = client.get(QUEUE, {"site": desk.site.pk})
    by_number = client.get(QUEUE, {"q": f"#{b.pk}"})
    # then
    assert _numbers(by_team) == [a.pk]
    assert _numbers(by_category) == [a.pk]
    assert _numbers(by_site) == [a.pk]
    assert _numbers(by_number) == [b.pk]


def test_keyset_pages_keep_the_filters(client, desk):
    # given
    start = timezone.now() - timedelta(days=10)
    tickets = [
        ticket_make(
            requester=desk.requester, channel=Channel.PHONE, at=start + timedelta(minutes=i)
        )
        for i in range(PAGE_SIZE + 3)
    ]
    ticket_make(requester=desk.requester, channel=Channel.EMAIL)
    client.force_login(desk.agent_l1)
    # when
    first = client.get(QUEUE, {"channel": "phone"})
    second = client.get(first.context["next_url"])
    # then
    assert _numbers(first) == [t.pk for t in tickets[:PAGE_SIZE]]
    assert "channel=phone" in first.context["next_url"]
    assert "cursor=" in first.context["next_url"]
    assert _numbers(second) == [t.pk for t in tickets[PAGE_SIZE:]]
    assert second.context["next_url"] is None
    html = second.content.decode()
    assert "First page" in html and 'href="/agent/?channel=phone"' in html
    assert "Next page" not in html
    assert "First page" not in first.content.decode()


def test_newest_first_order(client, desk):
    # given
    now = timezone.now()
    old = ticket_make(requester=desk.requester, at=now - timedelta(days=2))
    new = ticket_make(requester=desk.requester, at=now - timedelta(hours=1))
    client.force_login(desk.agent_l1)
    # when
    response = client.get(QUEUE, {"order": "newest"})
    # then
    assert _numbers(response) == [new.pk, old.pk]


def test_htmx_request_gets_only_the_results_fragment(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, subject="Fragment me")
    client.force_login(desk.agent_l1)
    # when
    response = client.get(QUEUE, {"q": "Fragment"}, **HX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html and 'class="filters"' not in html
    assert f"/agent/tickets/{ticket.pk}/" in html
    assert "HX-Request" in response["Vary"]
    assert response["HX-Push-Url"] == "/agent/?q=Fragment"


def test_full_page_has_a_get_filter_form_enhanced_with_htmx(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    html = client.get(QUEUE).content.decode()
    # then
    assert '<form method="get" action="/agent/"' in html
    assert 'hx-get="/agent/"' in html and 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert '<div id="results">' in html


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_queue_runs_the_same_number_of_queries_for_5_and_60_tickets(client, desk):
    # given
    hardware = category_make(name="Hardware")
    sub = category_make(name="Printers", parent=hardware)
    other_customer = user_make(organisation=desk.other_organisation)

    def tickets(n):
        for i in range(n):
            ticket = ticket_make(
                requester=desk.requester if i % 2 else other_customer,
                site=desk.site if i % 2 else None,
                category=sub if i % 3 else hardware,
                team=desk.l1_team,
            )
            if i % 4 == 0:
                services.ticket_assign(
                    ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
                )

    client.force_login(desk.agent_l1)
    tickets(5)
    client.get(QUEUE)  # warm the session
    # when
    with_5 = _count_queries(client, QUEUE)
    tickets(55)
    with_60 = _count_queries(client, QUEUE)
    # then
    assert with_5 == with_60
    # session, user, six select-box lists (not cached in tests), tickets, their requesters,
    # saved views, the active bulletins (the banner and "Link selected", cached outside tests)
    assert with_60 == 12


def test_with_the_select_box_lists_cached_the_queue_takes_five_queries(client, desk, settings):
    # given: the lists cached, as in production (docs/performance.md: 6 there, the sixth
    # reading the lists' version from the database cache; the tests' cache is in memory)
    from django.core.cache import cache

    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    for _ in range(3):
        ticket_make(requester=desk.requester, team=desk.l1_team)
    client.force_login(desk.agent_l1)
    client.get(QUEUE)  # fills the cache

    # when
    count = _count_queries(client, QUEUE)

    # then: session, user, tickets, their requesters, saved views
    assert count == 5


def test_save_a_view_lists_it_and_only_its_owner_sees_it(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.post(
        reverse("agent:view_save"),
        {"name": "Phones L2", "query": "channel=phone&level=2&cursor=abc&evil=1&status=active"},
    )
    # then
    saved = SavedView.objects.get(user=desk.agent_l1)
    assert saved.name == "Phones L2"
    assert saved.query == "level=2&channel=phone"
    assert response.status_code == 302 and response["Location"] == "/agent/?level=2&channel=phone"
    assert "Phones L2" in client.get(QUEUE).content.decode()
    client.force_login(desk.agent_l2)
    assert "Phones L2" not in client.get(QUEUE).content.decode()


def test_saving_under_the_same_name_replaces_the_filters(client, desk):
    # given
    client.force_login(desk.agent_l1)
    client.post(reverse("agent:view_save"), {"name": "Mine", "query": "owner=me"})
    # when
    client.post(reverse("agent:view_save"), {"name": "Mine", "query": "owner=none"})
    # then
    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "owner=none")]


def test_saving_without_a_name_is_refused(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.post(
        reverse("agent:view_save"), {"name": "", "query": "owner=me"}, follow=True
    )
    # then
    assert not SavedView.objects.exists()
    assert "Give the view a name" in response.content.decode()


def test_only_the_owner_deletes_a_saved_view(client, desk):
    # given
    view = SavedView.objects.create(user=desk.agent_l1, name="Mine", query="owner=me")
    client.force_login(desk.agent_l2)
    # when
    refused = client.post(reverse("agent:view_delete", args=[view.pk]))
    client.force_login(desk.agent_l1)
    deleted = client.post(reverse("agent:view_delete", args=[view.pk]))
    # then
    assert refused.status_code == 404
    assert deleted.status_code == 302
    assert not SavedView.objects.exists()


def test_saved_view_delete_needs_post(client, desk):
    # given
    view = SavedView.objects.create(user=desk.agent_l1, name="Mine", query="owner=me")
    client.force_login(desk.agent_l1)
    # when
    response = client.get(reverse("agent:view_delete", args=[view.pk]))
    # then
    assert response.status_code == 405
    assert SavedView.objects.exists()
