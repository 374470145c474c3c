"""Reasons on incoming mail are kept untranslated and shown in the reader's language."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from ayuda.intake.reasons import reason, reason_text

UNKNOWN = gettext_noop("Unknown sender %(a)s, and this mailbox does not accept unknown senders.")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Unknown sender x@y.example, and this mailbox does not accept unknown senders."),
        ("es", "Remitente desconocido x@y.example; este buzón no acepta remitentes desconocidos."),
        (
            "it",
            "Mittente sconosciuto x@y.example; questa casella non accetta mittenti sconosciuti.",
        ),
    ],
)
def test_a_reason_written_once_reads_in_each_language(language, expected):
    # given: written by the poller, whatever language it runs in
    with translation.override("it"):
        stored = reason(UNKNOWN, a="x@y.example")

    # when
    with translation.override(language):
        shown = reason_text(stored)

    # then
    assert shown == expected


def test_values_are_kept_as_they_were_even_with_percent_signs():
    stored = reason(gettext_noop("Precedence: %(value)s."), value="100% {bulk}")
    assert reason_text(stored) == "Precedence: 100% {bulk}."


def test_a_reason_without_values():
    assert reason_text(reason(gettext_noop("New ticket."))) == "New ticket."


@pytest.mark.parametrize(
    "stored", ["RuntimeError: crash", "{not json", '{"other": 1}', "", '{"reason": 1, "values": 2}']
)
def test_text_that_is_not_a_reason_record_is_shown_as_it_is(stored):
    assert reason_text(stored) == stored
