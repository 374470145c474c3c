"""The Spanish and Italian catalogues are complete and in use (R35).

The catalogues live in ``src/ayuda/locale/<lang>/LC_MESSAGES/django.po``; the compiled ``.mo``
files are not committed (``make run`` and ``make test`` compile them), so the ``compiled``
fixture compiles any that are missing or older than their ``.po`` before the rendering tests.
"""

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test.signals import setting_changed
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ("es", "it")
ALL_LANGUAGES = ("es", "it", "en")
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: one entry per blank-line separated block; obsolete (#~) lines skipped."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, target = Entry(), None
        for raw in block.splitlines():
            line = raw.strip()
            if not line or line.startswith("#~"):
                continue
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                assert target is not None, f"{path}: a string without a keyword: {raw!r}"
                kind, index = target
                if kind == "msgstr":
                    entry.msgstr[index] += ast.literal_eval(line)
                else:
                    setattr(entry, kind, getattr(entry, kind) + ast.literal_eval(line))
                continue
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest.strip())
            if keyword in ("msgctxt", "msgid", "msgid_plural"):
                setattr(entry, keyword, text)
                target = (keyword, None)
            elif keyword == "msgstr" or keyword.startswith("msgstr["):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = text
                target = ("msgstr", index)
            else:
                raise AssertionError(f"{path}: cannot read {raw!r}")
        if entry.msgstr:
            entries.append(entry)
    return entries


def messages(lang: str) -> list[Entry]:
    return [e for e in parse_po(po_path(lang)) if e.msgid]


def header(lang: str) -> Entry:
    return next(e for e in parse_po(po_path(lang)) if e.msgid == "")


@pytest.fixture(scope="module")
def compiled():
    """Compile each catalogue whose .mo is missing or stale, then drop Django's loaded ones."""
    stale = [
        lang
        for lang in ALL_LANGUAGES
        if not po_path(lang).with_suffix(".mo").exists()
        or po_path(lang).with_suffix(".mo").stat().st_mtime < po_path(lang).stat().st_mtime
    ]
    if stale:
        msgfmt = shutil.which("msgfmt")
        assert msgfmt, "GNU gettext's msgfmt is needed to compile the catalogues"
        for lang in stale:
            po = po_path(lang)
            subprocess.run(
                [msgfmt, "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True
            )
        # What Django does when LOCALE_PATHS changes: forget every catalogue loaded so far.
        setting_changed.send(
            sender=settings._wrapped.__class__,
            setting="LOCALE_PATHS",
            value=settings.LOCALE_PATHS,
            enter=True,
        )
    yield


# (c) the catalogues themselves ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_catalogue_exists_and_has_no_fuzzy_entries(lang):
    entries = messages(lang)
    assert len(entries) > 100, f"{po_path(lang)} looks empty: run `make messages`"
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in {lang}: {fuzzy}"
    assert "fuzzy" not in header(lang).flags
    assert f"Language: {lang}\n" in header(lang).msgstr[0]


def test_the_catalogues_hold_every_message_in_the_code(tmp_path):
    """A string marked for translation but missing from the catalogues would show in English
    whatever the user's language: `make messages` was not run after it was written."""
    if not shutil.which("xgettext"):
        pytest.skip("missing server: gettext (xgettext), needed for translations")
    # given: makemessages run on a copy of the sources, as `make messages` runs it
    source = Path(settings.BASE_DIR) / "src" / "ayuda"
    copy = tmp_path / "ayuda"
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo", "static", "*.pyc"),
    )
    (copy / "locale" / "es" / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "es", "--ignore=tests"],
        cwd=copy,
        check=True,
        capture_output=True,
    )

    # when
    wanted = {(e.msgctxt, e.msgid) for e in parse_po(copy / "locale/es/LC_MESSAGES/django.po")}
    held = {(e.msgctxt, e.msgid) for e in parse_po(po_path("es"))}

    # then
    assert len(wanted) > 100
    missing = sorted(msgid for _ctx, msgid in wanted - held if msgid)
    assert not missing, f"not in the catalogues (run `make messages`): {missing}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang):
    untranslated = [
        e.msgid
        for e in messages(lang)
        if not all(e.msgstr.get(i, "").strip() for i in range(2 if e.msgid_plural else 1))
    ]
    assert not untranslated, f"{len(untranslated)} untranslated in {lang}: {untranslated}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_are_two(lang):
    assert "nplurals=2; plural=(n != 1);" in header(lang).msgstr[0]
    for e in messages(lang):
        if e.msgid_plural:
            assert sorted(e.msgstr) == [0, 1], e.msgid


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_and_tags_are_kept(lang):
    wrong = []
    for e in messages(lang):
        sources = [e.msgid, e.msgid_plural or e.msgid]
        for index, text in e.msgstr.items():
            source = sources[min(index, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((e.msgid, text, "placeholders"))
            if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
                wrong.append((e.msgid, text, "tags"))
    assert not wrong, wrong


def test_spanish_and_italian_catalogues_have_the_same_messages():
    def ids(lang):
        return {(e.msgctxt, e.msgid) for e in messages(lang)}

    assert ids("es") == ids("it") == ids("en")


# (a) gettext returns the translations -----------------------------------------------------------

SAMPLES = {
    "es": {
        "Log in": "Iniciar sesión",
        "Escalate to level 2": "Escalar al nivel 2",
        "Pending customer": "Pendiente del cliente",
        "Incident": "Incidencia",
        "The help desk": "La mesa de ayuda",
    },
    "it": {
        "Log in": "Accedi",
        "Escalate to level 2": "Inoltra al secondo livello",
        "Pending customer": "In attesa del cliente",
        "Incident": "Incidente",
        "The help desk": "Il servizio di assistenza",
    },
}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_gettext_translates_known_strings(compiled, lang):
    with translation.override(lang):
        for msgid, expected in SAMPLES[lang].items():
            assert translation.gettext(msgid) == expected
        assert translation.gettext("We have received your request: %(s)s") % {"s": "X"} != (
            "We have received your request: X"
        )
        one = translation.ngettext("%(n)d mail processed.", "%(n)d mails processed.", 1)
        many = translation.ngettext("%(n)d mail processed.", "%(n)d mails processed.", 5)
        assert one != many and "%(n)d" in one and "%(n)d" in many
        assert one != "%(n)d mail processed."


def test_english_falls_back_to_the_source_text(compiled):
    with translation.override("en"):
        assert translation.gettext("Log in to Ayuda") == "Log in to Ayuda"


# (b) pages come out in the visitor's or the user's language ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("es", "Iniciar sesión en Ayuda"),
        ("it-IT,it;q=0.9", "Accedi ad Ayuda"),
        ("en", "Log in to Ayuda"),
    ],
)
def test_login_page_follows_accept_language(compiled, client, accept, expected):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "expected"), [("es", "Preferencias"), ("it", "Preferenze")])
def test_signed_in_user_sees_their_language(compiled, client, django_user_model, lang, expected):
    user = django_user_model.objects.create_user(username=f"u-{lang}", password="x", language=lang)
    client.force_login(user)
    # The browser asks for English: the user's own setting wins.
    response = client.get(reverse("preferences"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == lang
    assert f"<h1>{expected}</h1>" in response.content.decode()
