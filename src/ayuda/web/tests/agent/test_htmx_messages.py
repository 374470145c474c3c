"""Every htmx answer that swaps part of a page replaces the page's messages out of band
(web/middleware.py); page loads and redirects are left alone."""

from django.urls import reverse

from .conftest import HX

OOB = '<div id="messages" class="messages-slot" hx-swap-oob="true">'


def test_an_htmx_answer_brings_the_messages_it_did_not_show(client, desk):
    # given: an agent with a message waiting (a view saved without JavaScript's help)
    client.force_login(desk.agent_l1)
    client.post(reverse("agent:view_save"), {"name": "Mine", "query": "owner=me"})
    # when: the queue's results are asked for in place
    response = client.get(reverse("agent:queue"), **HX)
    # then: the answer carries the messages container out of band, with the message, once
    html = response.content.decode()
    assert html.count(OOB) == 1
    assert "View “Mine” saved." in html.split(OOB)[1]
    # and: shown, it is not kept for the next page
    assert "View “Mine” saved." not in client.get(reverse("agent:queue")).content.decode()


def test_an_htmx_answer_without_messages_empties_the_container(client, desk):
    client.force_login(desk.agent_l1)
    response = client.get(reverse("agent:queue"), **HX)
    html = response.content.decode()
    assert html.endswith(f"{OOB}</div>\n") or html.rstrip().endswith(f"{OOB}</div>")


def test_a_page_load_has_the_container_in_place_not_out_of_band(client, desk):
    client.force_login(desk.agent_l1)
    client.post(reverse("agent:view_save"), {"name": "Mine", "query": ""})
    html = client.get(reverse("agent:queue")).content.decode()
    assert 'hx-swap-oob="true"' not in html.split('id="messages"')[1][:40]
    assert html.count('id="messages"') == 1
    assert "View “Mine” saved." in html


def test_the_bells_poll_leaves_the_messages_alone(client, desk):
    # given: a confirmation waiting to be shown by the page
    client.force_login(desk.agent_l1)
    client.post(reverse("agent:view_save"), {"name": "Mine", "query": ""})
    # when: the bell polls (htmx, as soon as the page is loaded)
    response = client.get(reverse("agent:notifications_bell"), **HX)
    # then: its answer does not touch #messages, and the message is still waiting
    assert 'id="messages"' not in response.content.decode()
    assert "View “Mine” saved." in client.get(reverse("agent:queue")).content.decode()


def test_a_card_loaded_after_the_page_leaves_the_messages_alone(client, desk):
    from ayuda.tickets.tests.factories import ticket_make

    ticket = ticket_make(requester=desk.requester, site=desk.site)
    client.force_login(desk.agent_l1)
    response = client.get(reverse("agent:kb_similar", args=[ticket.pk]), **HX)
    assert response.status_code == 200
    assert 'id="messages"' not in response.content.decode()
