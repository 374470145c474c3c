"""Administrators edit the names they configure in each language, one input per language."""

import json

import pytest
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets.models import Category, StateCategory, TicketState
from ayuda.tickets.tests.factories import category_make, state_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True, language="en"))
    return client


def category_post(**overrides) -> dict:
    data = {
        "parent": "",
        "name": "Printer",
        "name_es": "Impresora",
        "name_it": "Stampante",
        "description": "Paper jams.",
        "description_es": "Atascos de papel.",
        "description_it": "",
        "extra_fields": "[]",
        "default_team": "",
        "is_active": "on",
    }
    return data | overrides


def test_the_state_form_has_one_input_per_language(admin_client):
    # given
    resolved = state_get(StateCategory.RESOLVED)

    # when
    response = admin_client.get(reverse("admin:tickets_ticketstate_change", args=[resolved.pk]))

    # then: no raw JSON, the Spanish and Italian names each in their own input
    html = response.content.decode()
    assert 'name="name_es"' in html and 'value="Resuelto"' in html
    assert 'name="name_it"' in html and 'value="Risolto"' in html
    assert 'name="name_i18n"' not in html


def test_the_administrator_adds_a_state_with_its_translations(admin_client):
    # when
    response = admin_client.post(
        reverse("admin:tickets_ticketstate_add"),
        {
            "name": "Waiting for parts",
            "name_es": "Esperando piezas",
            "name_it": "In attesa di ricambi",
            "category": StateCategory.PENDING_CUSTOMER,
            "position": 35,
        },
    )

    # then
    assert response.status_code == 302
    state = TicketState.objects.get(name="Waiting for parts")
    assert state.name_i18n == {"es": "Esperando piezas", "it": "In attesa di ricambi"}


def test_emptying_a_translation_removes_it(admin_client):
    # given
    category = category_make(name="Printer", name_i18n={"es": "Impresora", "it": "Stampante"})

    # when
    response = admin_client.post(
        reverse("admin:tickets_category_change", args=[category.pk]),
        category_post(name_it="  "),
    )

    # then
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name_i18n == {"es": "Impresora"}
    assert category.description_i18n == {"es": "Atascos de papel."}


def test_translated_extra_fields_are_saved(admin_client):
    # given
    fields = [{"name": "serial", "label": {"en": "Serial number", "es": "Número de serie"}}]

    # when
    response = admin_client.post(
        reverse("admin:tickets_category_add"), category_post(extra_fields=json.dumps(fields))
    )

    # then
    assert response.status_code == 302
    assert Category.objects.get(name="Printer").extra_fields == fields


def test_malformed_extra_fields_get_a_translated_error_and_nothing_is_saved(client):
    # given
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True, language="es"))

    # when
    response = client.post(
        reverse("admin:tickets_category_add"),
        category_post(extra_fields=json.dumps([{"name": "serial", "type": "date"}])),
    )

    # then
    assert response.status_code == 200
    assert "Campo 1" in response.content.decode()
    assert not Category.objects.filter(name="Printer").exists()
