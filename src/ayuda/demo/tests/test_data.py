"""The demo's reference data: every story talks about its own category, from subject to
solution, in its language, and every lifecycle has stories to tell in every language."""

import pytest

from ayuda.demo.data.desk import CATEGORIES, USERS
from ayuda.demo.data.plan import SCENARIOS, STORIES
from ayuda.demo.timeline import story_fits

# Words that name each category's subject, per language, written independently of the stories.
# A text about a printer mentions the printer, not a firmware or a password.
WORDS = {
    "People counter": {"es": ["contador"], "it": ["contapersone"], "en": ["counter"]},
    "Printer": {"es": ["impresora"], "it": ["stampante"], "en": ["printer"]},
    "POS terminal": {"es": ["datáfono"], "it": ["pos"], "en": ["card reader", "terminal"]},
    "Point of sale app": {"es": ["tpv"], "it": ["app di cassa"], "en": ["till app"]},
    "Back office web": {
        "es": ["back office", "informe"],
        "it": ["gestionale", "fattur"],
        "en": ["back office", "report"],
    },
    "Wi-Fi": {"es": ["wifi"], "it": ["wi-fi"], "en": ["wi-fi"]},
    "VPN": {"es": ["vpn"], "it": ["vpn"], "en": ["vpn"]},
    "Password reset": {"es": ["contraseña"], "it": ["password"], "en": ["password"]},
    "Accounts and access": {"es": ["usuario"], "it": ["utente"], "en": ["user", "account"]},
    "Hardware": {
        "es": ["lector", "escáner"],
        "it": ["portatile"],
        "en": ["laptop", "scanner"],
    },
}
# Words common in one language that the others never use.
MARKERS = {
    "es": ["el ", "los ", "que ", "para ", "con "],
    "it": ["il ", "che ", "per ", "non ", "con "],
    "en": ["the ", "and ", "with ", "to "],
}
OWN_TEXTS = ("subject", "description", "question", "answer", "solution")
ALL = [(lang, story) for lang, stories in STORIES.items() for story in stories]


@pytest.mark.parametrize(("lang", "story"), ALL, ids=lambda v: getattr(v, "subject", v))
def test_each_text_of_a_story_is_about_its_category(lang, story):
    assert story.category in {name for name, *_rest in CATEGORIES}
    words = WORDS[story.category][lang]
    for name in ("subject", "description", "question", "solution"):
        text = getattr(story, name).lower()
        assert any(word in text for word in words), (name, text)


@pytest.mark.parametrize(("lang", "story"), ALL, ids=lambda v: getattr(v, "subject", v))
def test_a_story_speaks_its_requesters_language(lang, story):
    text = " " + " ".join(getattr(story, name) for name in OWN_TEXTS).lower() + " "
    assert any(f" {m}" in text for m in MARKERS[lang]), text
    for other, markers in MARKERS.items():
        if other != lang:
            found = [m for m in markers if f" {m}" in text and m not in MARKERS[lang]]
            assert len(found) < 2, (other, found)
    # the vendor is English whatever the shop speaks
    if story.vendor_answer:
        assert any(f" {m}" in f" {story.vendor_answer.lower()}" for m in MARKERS["en"])


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("lang", sorted({language for _u, _r, language, *_ in USERS}))
def test_every_lifecycle_has_a_story_in_every_language(scenario, lang):
    need = SCENARIOS[scenario][2]
    assert [s for s in STORIES[lang] if not s.monitoring and story_fits(s, need)]


def test_monitoring_alerts_are_about_devices_and_only_for_site_languages():
    alerts = [(lang, s) for lang, s in ALL if s.monitoring]
    assert {lang for lang, _s in alerts} == {"es", "it"}  # the site admins' languages
    assert {s.category for _lang, s in alerts} == {"People counter"}
    assert all(s.subject.startswith("[Monitor] {site}") for _lang, s in alerts)
