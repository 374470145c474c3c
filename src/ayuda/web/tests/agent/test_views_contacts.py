"""Logging a phone call or a walk-in, optionally resolved in the same step (R3)."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets.models import Article, Channel, StateCategory, Ticket, TicketType
from ayuda.tickets.tests.factories import category_make

from .conftest import HX

pytestmark = pytest.mark.django_db
URL = "/agent/contacts/new/"


def test_contact_url_name():
    assert reverse("agent:contact_new") == URL


def _data(desk, **overrides):
    return {
        "requester": desk.requester.pk,
        "channel": Channel.PHONE,
        "subject": "Till does not print",
        "description": "She called from the shop.",
        "type": TicketType.INCIDENT,
        "category": "",
        "priority": "2",
        "site": desk.site.pk,
        **overrides,
    }


def test_search_finds_customers_by_name_or_email(client, desk):
    # given
    found = user_make(
        role=Role.REQUESTER, first_name="Rosa", last_name="Díaz", email="rosa@shop.example"
    )
    user_make(role=Role.REQUESTER, first_name="Other", email="o@shop.example")
    client.force_login(desk.agent_l1)
    # when
    by_name = client.get(URL, {"who": "rosa"})
    by_mail = client.get(URL, {"who": "rosa@shop"})
    # then
    for response in (by_name, by_mail):
        choices = [value for value, _label in response.context["form"].fields["requester"].choices]
        assert choices == ["", str(found.pk)]
        assert response.context["form"].initial == {"requester": found.pk}


def test_search_never_offers_staff(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.get(URL, {"who": desk.agent_l2.username})
    # then
    assert response.context["form"].fields["requester"].choices == [("", "—")]
    assert "No customer matches" in response.content.decode()


def test_htmx_search_returns_only_the_requester_field(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.get(URL, {"who": desk.requester.username}, **HX)
    # then
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="requester-field">')
    assert f'value="{desk.requester.pk}"' in html
    assert "<html" not in html


def test_log_a_phone_call(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.post(URL, _data(desk))
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agent:ticket", args=[ticket.pk])
    assert (ticket.channel, ticket.requester, ticket.site) == ("phone", desk.requester, desk.site)
    assert ticket.state_category == StateCategory.NEW
    assert (
        f"Contact logged as ticket #{ticket.pk}."
        in client.get(response["Location"]).content.decode()
    )


def test_log_a_walk_in_and_resolve_it_at_once(client, desk):
    # given
    category = category_make(name="Questions")
    client.force_login(desk.agent_l1)
    # when
    response = client.post(
        URL,
        _data(
            desk,
            channel=Channel.WALK_IN,
            category=category.pk,
            type=TicketType.SERVICE_REQUEST,
            resolve_now="on",
            solution="Showed her the reprint button.",
        ),
    )
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.channel, ticket.category) == ("walk_in", category)
    assert ticket.state_category == StateCategory.RESOLVED
    assert ticket.solution == "Showed her the reprint button."
    assert Article.objects.filter(ticket=ticket).count() == 2


def test_resolve_now_without_an_answer_is_refused_and_nothing_is_logged(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.post(URL, _data(desk, resolve_now="on", solution=""))
    # then
    assert response.status_code == 422
    assert response.context["form"].errors["solution"] == [
        "Write the answer you gave to log and resolve in one step."
    ]
    assert "Till does not print" in response.content.decode()
    assert not Ticket.objects.exists()


def test_site_of_another_organisation_is_refused(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.post(URL, _data(desk, site=desk.other_site.pk))
    # then
    assert response.status_code == 422
    assert "That site belongs to another organisation." in response.content.decode()
    assert not Ticket.objects.exists()


def test_staff_cannot_be_chosen_as_the_requester(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.post(URL, _data(desk, requester=desk.agent_l2.pk))
    # then
    assert response.status_code == 422
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN])
def test_customers_cannot_log_contacts(client, desk, role):
    # given
    client.force_login(desk.user(role))
    # when
    page = client.get(URL)
    post = client.post(URL, _data(desk))
    # then
    assert page.status_code == 302
    assert post.status_code == 403
    assert not Ticket.objects.exists()
