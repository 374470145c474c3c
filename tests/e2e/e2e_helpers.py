"""Plain helpers shared by the browser journeys (fixtures live in conftest.py and the tests).

``t(lang, msgid)`` translates with the project's catalogue, so the tests follow the .po files
instead of copying their strings; ``strict=True`` also fails when a Spanish or Italian string
is missing from the catalogue (gettext would quietly answer in English).
"""

import contextlib
import importlib
import os
import re
import struct
import zlib
from pathlib import Path

from django.apps import apps
from django.core.cache import cache
from django.utils import translation

from ayuda.accounts.models import User

#: Set E2E_SHOTS_DIR (for example /tmp/e2e-shots) to keep one screenshot per journey step.
SHOTS_DIR = os.environ.get("E2E_SHOTS_DIR", "")
PASSWORD = "pass"  # the factories' default password
LANGUAGES = ("en", "es", "it")
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def clean_slate() -> None:
    """What every journey needs before it starts, whatever ran before it:

    * the default ticket states. A data migration creates them, and the flush that ends every
      transactional test (all browser tests are: the live server runs in another thread)
      empties every table. ``serialized_rollback`` should restore them but silently does not
      in the whole suite: when an ordinary ``db`` test created the database, the connection a
      browser test sees (with Playwright's event loop in the main thread; Django keeps
      connections in an asgiref Local) has no serialized copy, so nothing is restored;
    * fresh log-in rate limits: they count per address in the cache, and every journey logs
      in several times from 127.0.0.1.
    """
    migration = importlib.import_module("ayuda.tickets.migrations.0002_default_states")
    migration.create_states(apps, None)  # get_or_create: a no-op when they are there
    cache.clear()


def t(lang: str, msgid: str, *, strict: bool = False, **params) -> str:
    """``msgid`` in ``lang`` from the compiled catalogue, with ``%(name)s`` filled in."""
    with translation.override(lang):
        text = translation.gettext(msgid)
    if strict and lang != "en":
        assert text != msgid, (
            f"{msgid!r} has no {lang} translation: run `make test` (compilemessages) or "
            "`manage.py compilemessages`, or fill in the catalogue"
        )
    return text % params if params else text


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A real (valid, decodable) PNG: signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def users_speak(lang: str, *users: User) -> None:
    """Each user's own language preference (R35), as set on the preferences page."""
    User.objects.filter(pk__in=[u.pk for u in users]).update(language=lang)


def shot(page, name: str) -> None:
    """A screenshot of this step under E2E_SHOTS_DIR, when that is set (development only)."""
    if not SHOTS_DIR:
        return
    Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=Path(SHOTS_DIR) / f"{name}.png", full_page=True)


def field(scope, label: str):
    """The form field labelled exactly ``label`` (a required field's label ends in " *").
    Plain ``get_by_label`` matches substrings: "URL" would also find "Passaggi per riprodURLo"."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def prop(scope, label: str):
    """The value (``<dd>``) next to the term ``label`` (``<dt>``) of a details list."""
    return scope.locator(f'xpath=.//dt[normalize-space()="{label}"]/following-sibling::dd[1]')


def mark_page(page) -> None:
    """Put a marker on the window: it survives an htmx swap, not a page load."""
    page.evaluate("window.__e2eMarker = 'still here'")


def page_was_not_reloaded(page) -> bool:
    return page.evaluate("window.__e2eMarker") == "still here"


class Browsers:
    """More browser contexts for one test (one per person), closed at teardown; on a failure
    each open page leaves a screenshot in test-results/ as the ``context`` fixture does."""

    def __init__(self, browser, base_url: str, request):
        self.browser, self.base_url, self.request = browser, base_url, request
        self.contexts = []
        self.failed_before = request.session.testsfailed

    def new_page(self, *, java_script_enabled: bool = True, locale: str = "en"):
        context = self.browser.new_context(
            base_url=self.base_url, locale=locale, java_script_enabled=java_script_enabled
        )
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(15_000)
        self.contexts.append(context)
        return context.new_page()

    def close(self) -> None:
        if self.request.session.testsfailed > self.failed_before:
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", self.request.node.nodeid)
            for n, context in enumerate(self.contexts):
                for m, open_page in enumerate(context.pages):
                    with contextlib.suppress(Exception):
                        open_page.screenshot(
                            path=RESULTS_DIR / f"{name}-extra{n}-{m}.png", full_page=True
                        )
        for context in self.contexts:
            context.close()
