"""Scan rules' message templates are data (R33): named fields only, filled by substitution."""

import pytest

from ayuda.devices.templates import TemplateError, template_check, template_render

NAMES = ("device", "serial", "site", "days_silent")


def test_render_fills_named_fields_and_keeps_doubled_braces():
    text = template_render(
        "{device} ({serial}) at {site}: {days_silent} days {{quiet}}",
        {"device": "Door 1", "serial": "SN1", "site": "Madrid", "days_silent": 4},
    )
    assert text == "Door 1 (SN1) at Madrid: 4 days {quiet}"


def test_a_value_is_never_formatted_again():
    # A device named like a template is inserted as text, not parsed.
    assert template_render("{device}", {"device": "{site.__class__}"}) == "{site.__class__}"


@pytest.mark.parametrize(
    "template",
    [
        "{device.__class__}",
        "{device.__class__.__init__.__globals__}",
        "{site[0]}",
        "{0}",
        "{}",
        "{device!r}",
        "{days_silent:>100000}",
        "{device:{site}}",
    ],
)
def test_attribute_index_positional_conversion_and_spec_are_refused(template):
    with pytest.raises(TemplateError):
        template_check(template, names=NAMES)
    with pytest.raises(TemplateError):
        template_render(template, {"device": "x", "site": "y", "days_silent": 1})


def test_unknown_field_is_refused_naming_it_and_the_known_ones():
    with pytest.raises(TemplateError) as error:
        template_check("{device} {password}", names=NAMES)
    assert "{password}" in str(error.value) and "{days_silent}" in str(error.value)


@pytest.mark.parametrize("template", ["{device", "device}", "{{device}"])
def test_unbalanced_braces_are_refused(template):
    with pytest.raises(TemplateError):
        template_check(template, names=NAMES)


def test_plain_text_and_known_fields_pass():
    template_check("Nothing to fill", names=NAMES)
    template_check("{device} {{literal}} {site}", names=NAMES)
