"""Who may use the portal and which tickets they reach (R27): role x endpoint x scope."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make, vendor_make
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Article
from ayuda.tickets.tests.factories import ticket_make

from .helpers import png_bytes, requester_make, site_admin_make, site_make

pytestmark = pytest.mark.django_db


def endpoints(ticket) -> list[tuple[str, str]]:
    attachment = ticket.attachments.first()
    urls = [
        ("get", reverse("portal:home")),
        ("get", reverse("portal:ticket_new")),
        ("get", reverse("portal:ticket", args=[ticket.pk])),
        ("post", reverse("portal:ticket_reply", args=[ticket.pk])),
    ]
    if attachment:
        urls.append(("get", reverse("portal:attachment", args=[attachment.pk])))
    return urls


def a_ticket(**kwargs):
    return ticket_make(attachments=[IncomingFile(name="s.png", content=png_bytes())], **kwargs)


def test_anonymous_users_are_sent_to_log_in(client):
    # given
    ticket = a_ticket()

    # when
    responses = [getattr(client, method)(url) for method, url in endpoints(ticket)]

    # then
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "role", [Role.AGENT_L1, Role.AGENT_L2, Role.MANAGER, Role.ADMIN, Role.VENDOR_AGENT]
)
def test_staff_are_sent_to_the_agent_workspace(client, role):
    # given
    ticket = a_ticket()
    vendor = vendor_make() if role == Role.VENDOR_AGENT else None
    client.force_login(user_make(role=role, vendor=vendor))
    articles = Article.objects.count()

    # when
    responses = [
        getattr(client, method)(url, {"body": "x"} if method == "post" else None)
        for method, url in endpoints(ticket)
    ]

    # then
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith("/agent/")
    assert Article.objects.count() == articles


@pytest.mark.parametrize("same_organisation", [True, False])
def test_requester_cannot_reach_another_requesters_ticket(client, same_organisation):
    # given
    me = requester_make()
    other = requester_make(organisation=me.organisation if same_organisation else None)
    ticket = a_ticket(requester=other)
    client.force_login(me)
    articles = Article.objects.count()

    # when
    page = client.get(reverse("portal:ticket", args=[ticket.pk]))
    reply = client.post(reverse("portal:ticket_reply", args=[ticket.pk]), {"body": "hi"})
    download = client.get(reverse("portal:attachment", args=[ticket.attachments.get().pk]))

    # then
    assert (page.status_code, reply.status_code, download.status_code) == (404, 404, 404)
    assert Article.objects.count() == articles


def test_requester_reaches_their_own_ticket(client):
    # given
    me = requester_make()
    ticket = a_ticket(requester=me)
    client.force_login(me)

    # when
    responses = [
        getattr(client, method)(url, {"body": "hi"} if method == "post" else None)
        for method, url in endpoints(ticket)
    ]

    # then
    assert [r.status_code for r in responses] == [200, 200, 200, 302, 200]


def test_missing_ticket_is_404(client):
    # given
    client.force_login(requester_make())

    # when
    response = client.get(reverse("portal:ticket", args=[999_999]))

    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("where", "expected"),
    [("my_site", 200), ("other_site_same_org", 404), ("other_org", 404), ("no_site", 404)],
)
def test_site_admin_reaches_only_their_sites_tickets(client, where, expected):
    # given
    site = site_make()
    admin = site_admin_make(sites=[site])
    colleague = requester_make(organisation=site.organisation)
    if where == "my_site":
        ticket = a_ticket(requester=colleague, site=site)
    elif where == "other_site_same_org":
        ticket = a_ticket(requester=colleague, site=site_make(organisation=site.organisation))
    elif where == "no_site":
        ticket = a_ticket(requester=colleague)
    else:
        foreign_site = site_make()
        ticket = a_ticket(
            requester=requester_make(organisation=foreign_site.organisation), site=foreign_site
        )
    client.force_login(admin)

    # when
    page = client.get(reverse("portal:ticket", args=[ticket.pk]))
    download = client.get(reverse("portal:attachment", args=[ticket.attachments.get().pk]))
    reply = client.post(reverse("portal:ticket_reply", args=[ticket.pk]), {"body": "On it"})

    # then
    assert page.status_code == expected
    assert download.status_code == expected
    assert reply.status_code == (302 if expected == 200 else 404)
