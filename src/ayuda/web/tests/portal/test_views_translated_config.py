"""A Spanish requester reads categories, their form and states in Spanish (issue 8)."""

import pytest
from django.urls import reverse

from ayuda.tickets import services
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_make

from ..translated import parts_state, printer_category

pytestmark = pytest.mark.django_db
NEW = reverse("portal:ticket_new")


@pytest.fixture
def desk():
    desk = desk_make()
    desk.requester.language = "es"
    desk.requester.save()
    return desk


def test_the_new_ticket_form_names_categories_and_fields_in_spanish(client, desk):
    # given
    printer = printer_category()
    category_make(name="Network")  # no translation: its name
    client.force_login(desk.requester)

    # when
    picker = client.get(NEW).content.decode()
    form = client.get(NEW, {"category": printer.pk}).content.decode()

    # then
    assert "Equipos › Impresora" in picker and "Network" in picker
    assert "Hardware" not in picker
    assert "Número de serie" in form and "En la etiqueta de detrás." in form
    assert "Tipo de impresora" in form and "Chorro de tinta" in form
    assert "Atascos de papel y tóner." in form
    assert "Sobre «Impresora»" in form
    assert "Serial number" not in form and "Inkjet" not in form


def test_a_spanish_requester_raises_a_ticket_with_a_translated_choice(client, desk):
    # given
    printer = printer_category()
    client.force_login(desk.requester)

    # when
    response = client.post(
        NEW,
        {
            "category": printer.pk,
            "subject": "Atasco",
            "description": "El papel se atasca.",
            "type": "incident",
            "extra_serial": "SN-1",
            "extra_kind": "inkjet",
        },
    )

    # then: the value is stored, the page shows its Spanish label
    ticket = Ticket.objects.get(subject="Atasco")
    assert response.status_code == 302
    assert ticket.extra == {"serial": "SN-1", "kind": "inkjet"}
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "Número de serie" in page and "Chorro de tinta" in page
    assert "Equipos › Impresora" in page


def test_a_missing_required_field_is_named_in_spanish(client, desk):
    # given
    printer = printer_category()
    client.force_login(desk.requester)

    # when
    response = client.post(
        NEW,
        {"category": printer.pk, "subject": "Atasco", "description": "x", "type": "incident"},
    )

    # then
    assert response.status_code == 200
    assert not Ticket.objects.exists()


def test_the_list_and_the_ticket_page_name_the_state_in_spanish(client, desk):
    # given
    state = parts_state()
    ticket = ticket_make(requester=desk.requester, site=desk.site, team=desk.l1_team)
    services.ticket_change_state(ticket=ticket, actor=desk.agent_l1, state=state)
    client.force_login(desk.requester)

    # when
    home = client.get(reverse("portal:home")).content.decode()
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()

    # then
    assert "Esperando piezas" in home and "Esperando piezas" in page
    assert "Waiting for parts" not in home + page
