"""Names administrators configure (states, categories, their form fields) in the reader's
language, with a fallback to the configured name."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ayuda.tickets.extra_fields import extra_answers, extra_fields_check, spec_choices
from ayuda.tickets.models import Category, StateCategory, TicketState
from ayuda.tickets.tests.factories import category_make, state_get

pytestmark = pytest.mark.django_db


def test_the_default_states_carry_their_spanish_and_italian_names():
    # given
    resolved = state_get(StateCategory.RESOLVED)

    # then: in the admin's inputs, and on every page
    assert resolved.name_i18n == {"es": "Resuelto", "it": "Risolto"}
    with translation.override("es"):
        assert resolved.display_name == "Resuelto"
    with translation.override("it"):
        assert str(resolved) == "Risolto"


def test_a_state_made_by_an_administrator_reads_in_each_language_or_falls_back():
    # given
    state = TicketState.objects.create(
        name="Waiting for parts",
        name_i18n={"es": "Esperando piezas"},
        category=StateCategory.PENDING_CUSTOMER,
        position=35,
    )

    # then
    with translation.override("es"):
        assert state.display_name == "Esperando piezas"
    with translation.override("it"):
        assert state.display_name == "Waiting for parts"


def test_a_category_path_reads_in_the_readers_language():
    # given
    hardware = category_make(name="Hardware", name_i18n={"es": "Equipos", "it": "Apparecchi"})
    printer = category_make(
        name="Printer",
        parent=hardware,
        name_i18n={"es": "Impresora"},
        description="Paper jams and toner.",
        description_i18n={"es": "Atascos de papel y tóner."},
    )

    # then
    assert printer.display_path(language="es") == "Equipos › Impresora"
    assert printer.display_path(language="it") == "Apparecchi › Printer"
    with translation.override("es"):
        assert printer.display_description == "Atascos de papel y tóner."
    assert str(printer) == "Hardware › Printer"  # the record's name never changes with language


SPECS = [
    {
        "name": "serial",
        "label": {"en": "Serial number", "es": "Número de serie", "it": "Numero di serie"},
        "help": {"en": "On the back.", "es": "Detrás."},
        "required": True,
    },
    {
        "name": "colour",
        "type": "choice",
        "label": "Colour",
        "choices": ["Black", {"value": "colour", "label": {"en": "Colour", "es": "Color"}}],
    },
]


def test_extra_field_choices_keep_their_value_and_translate_their_label():
    # when
    choices = spec_choices(SPECS[1], language="es")

    # then
    assert choices == [("Black", "Black"), ("colour", "Color")]


def test_extra_answers_are_labelled_in_the_readers_language():
    # given
    category = Category(name="Printer", extra_fields=SPECS)

    # when
    rows = extra_answers(category, {"serial": "X1", "colour": "colour", "other": "y"}, "es")

    # then
    assert rows == [("Número de serie", "X1"), ("Colour", "Color"), ("other", "y")]


def test_well_formed_extra_fields_pass_the_check():
    extra_fields_check(SPECS)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": "x"}, "a list"),
        (["serial"], "Field 1"),
        ([{"label": "Serial"}], "“name”"),
        ([{"name": "a"}, {"name": "a"}], "twice"),
        ([{"name": "a", "type": "date"}], "“type”"),
        ([{"name": "a", "label": {"fr": "Numéro"}}], "“fr”"),
        ([{"name": "a", "label": {"es": 3}}], "“label”"),
        ([{"name": "a", "type": "choice"}], "“choices”"),
        ([{"name": "a", "type": "choice", "choices": [{"label": "X"}]}], "“value”"),
        ([{"name": "a", "required": "yes"}], "“required”"),
    ],
)
def test_malformed_extra_fields_are_refused_with_a_clear_message(value, message):
    # when
    with pytest.raises(ValidationError) as caught:
        extra_fields_check(value)

    # then
    assert message in " ".join(caught.value.messages)


def test_the_check_speaks_the_administrators_language():
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        extra_fields_check([{"name": "a", "type": "date"}])
    assert "Campo 1" in caught.value.messages[0]
