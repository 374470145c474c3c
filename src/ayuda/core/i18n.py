"""Names administrators configure (states, categories, form fields), in the reader's language.

A configured name is kept as typed (``name``, in the site's language) with its translations in
a JSON object beside it (``name_i18n``: ``{"es": "...", "it": "..."}``). ``translated`` picks
the text to show: the reader's language, then the site's default language (``LANGUAGE_CODE``),
then the name itself. See docs/architecture.md, "Translated configuration".
"""

from django.conf import settings
from django.utils.translation import get_language


def language_codes() -> list[str]:
    """The languages a configured name may be translated into (``settings.LANGUAGES``)."""
    return [code for code, _name in settings.LANGUAGES]


def translated(values: dict | None, default: str, *, language: str | None = None) -> str:
    """``values``' text for ``language`` (the active language if not given), else for the
    site's language, else ``default``. Blank or non-text values count as missing."""
    if not values or not isinstance(values, dict):
        return default
    language = (language or get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
        text = values.get(code)
        if isinstance(text, str) and text.strip():
            return text
    return default


def translations_clean(values: dict[str, str]) -> dict[str, str]:
    """Only the languages that have a text, stripped (what the admin's inputs save)."""
    return {code: text.strip() for code, text in values.items() if text and text.strip()}
