"""A Spanish agent reads configured names in Spanish; the cached lists are kept per language."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ayuda.tickets import services
from ayuda.tickets.tests.factories import category_make, ticket_make
from ayuda.web.agent.lookups import Lookups

from ..translated import parts_state, printer_category

pytestmark = pytest.mark.django_db
QUEUE = reverse("agent:queue")


def spanish(user):
    user.language = "es"
    user.save()
    return user


def test_the_queue_names_states_and_categories_in_spanish(client, desk):
    # given
    printer = printer_category()
    state = parts_state()
    ticket = ticket_make(
        requester=desk.requester, team=desk.l1_team, category=printer, extra={"serial": "1"}
    )
    services.ticket_change_state(ticket=ticket, actor=desk.agent_l1, state=state)
    client.force_login(spanish(desk.agent_l1))

    # when
    html = client.get(QUEUE).content.decode()

    # then: in the lines and in the select boxes
    assert html.count("Esperando piezas") >= 2
    assert html.count("Equipos › Impresora") >= 2
    assert "Waiting for parts" not in html and "Hardware › Printer" not in html


def test_the_ticket_page_and_its_history_speak_spanish(client, desk):
    # given: an English agent made the changes
    printer = printer_category()
    state = parts_state()
    ticket = ticket_make(
        requester=desk.requester,
        team=desk.l1_team,
        category=printer,
        extra={"serial": "SN-1", "kind": "laser"},
    )
    with translation.override("en"):
        services.ticket_qualify(
            ticket=ticket, actor=desk.agent_l1, category=None, type="incident", priority=2
        )
        services.ticket_qualify(
            ticket=ticket, actor=desk.agent_l1, category=printer, type="incident", priority=2
        )
        services.ticket_change_state(ticket=ticket, actor=desk.agent_l1, state=state)
    client.force_login(spanish(desk.agent_l1))

    # when
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    history = client.get(reverse("agent:history", args=[ticket.pk])).content.decode()

    # then
    assert "Esperando piezas" in page and "Equipos › Impresora" in page
    assert "Número de serie" in page and "Láser" in page
    for html in (page, history):
        assert "Waiting for parts" not in html
        assert "Hardware › Printer" not in html
    assert "Esperando piezas" in history and "Equipos › Impresora" in history


def test_an_untranslated_name_reads_as_configured(client, desk):
    # given
    network = category_make(name="Network")
    ticket_make(requester=desk.requester, team=desk.l1_team, category=network)
    client.force_login(spanish(desk.agent_l1))

    # when
    html = client.get(QUEUE).content.decode()

    # then
    assert "Network" in html


def test_the_cached_lists_are_kept_per_language(client, desk, settings):
    # given: the lists cached, as in production
    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    printer_category()
    with translation.override("en"):
        english = {c.label for c in Lookups().categories}
    with translation.override("es"):
        spanish_labels = {c.label for c in Lookups().categories}

    # then
    assert "Hardware › Printer" in english and "Equipos › Impresora" in spanish_labels
    with translation.override("en"):
        assert "Hardware › Printer" in {c.label for c in Lookups().categories}


def test_spanish_and_english_queues_cost_the_same_queries_with_the_lists_cached(
    client, desk, settings
):
    # given
    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    printer = printer_category()
    for _ in range(3):
        ticket_make(
            requester=desk.requester, team=desk.l1_team, category=printer, extra={"serial": "1"}
        )
    client.force_login(spanish(desk.agent_l1))
    client.get(QUEUE)  # fills the Spanish lists

    # when
    with CaptureQueriesContext(connection) as spanish_queries:
        html = client.get(QUEUE).content.decode()
    desk.agent_l1.language = "en"
    desk.agent_l1.save()
    client.get(QUEUE)  # fills the English lists
    with CaptureQueriesContext(connection) as english_queries:
        english_html = client.get(QUEUE).content.decode()

    # then: session, user, tickets, their requesters, saved views, in each language
    assert len(spanish_queries) == len(english_queries) == 5
    assert "Equipos › Impresora" in html and "Hardware › Printer" in english_html
