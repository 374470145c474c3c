"""Browser journeys through the real UI: Playwright (sync API) driving Debian's chromium.

Every test in this folder is marked ``e2e`` and ``needs_server("chromium")``: without
/usr/bin/chromium (``scripts/chromium.sh`` installs it) the tests skip as
``missing server: chromium`` — and fail when CI=true (see the root conftest.py).
Playwright never downloads a browser here: we pass ``executable_path``.

Fixtures:

``page``
    A fresh browser context per test (no cookies, no storage) whose ``base_url`` is
    pytest-django's ``live_server``, so ``page.goto("/health")`` works. The test gets
    ``transactional_db``: the live server runs in another thread and must see the test's rows.
``login_as(page, username, password)``
    Logs in through the real form at /login/ (fields ``username`` and ``password``, a submit
    button) and fails the test when the log-in is refused.

A failing test leaves a screenshot in ``test-results/``.

The security policies (docs/security.md)
----------------------------------------
Every browser context any test opens (through ``context``, ``Browsers`` or
``browser.new_context`` itself) is watched: every ``securitypolicyviolation`` event in any of
its pages (an init script listens on each document), every console message about the
Content-Security-Policy or the Permissions-Policy ("Refused to ..."), and every page load whose
response lacks either header. Anything seen fails the test (at its teardown, with the list).
"""

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API keeps an asyncio event loop in the main thread, so Django sees "an async
# context" and raises SynchronousOnlyOperation when a test (or the transactional_db teardown)
# touches the database while the browser is open. The test thread really is synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _serialise_live_server_on_in_memory_sqlite() -> None:
    """On SQLite the test database is in memory, and the live server's request threads all use
    the test's one connection (pytest-django passes it over). A page that asks for two things at
    once (the bell's poll and a card loaded after the page) then used that connection from two
    threads: "bad parameter or other API misuse". There, requests are answered one at a time;
    on PostgreSQL each thread has its own connection and nothing changes."""
    import threading

    from django.test import testcases

    lock = threading.Lock()

    def serialised(static_handler):
        class Serialised(static_handler):
            def __call__(self, environ, start_response):
                with lock:
                    response = super().__call__(environ, start_response)
                    try:
                        return list(response)  # a streamed answer is read under the lock too
                    finally:
                        if hasattr(response, "close"):
                            response.close()

        return Serialised

    class LiveServerThread(testcases.LiveServerThread):
        def __init__(self, host, static_handler, connections_override=None, port=0):
            if connections_override:
                static_handler = serialised(static_handler)
            super().__init__(host, static_handler, connections_override, port)

    testcases.LiveServerThread = LiveServerThread


_serialise_live_server_on_in_memory_sqlite()

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOGIN_PATH = "/login/"
TIMEOUT_MS = 15_000
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.needs_server("chromium"))


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


#: Put in every document before its own scripts: report each policy violation to Python.
VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const text = `${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}`
    + (event.sample ? ` (${event.sample})` : "");
  window.__e2ePolicyViolation?.(text);
}, true);
"""
POLICY_CONSOLE = re.compile(r"Content.Security.Policy|Permissions.Policy|Refused to", re.I)
#: What the watched contexts saw during the running test.
_POLICY_PROBLEMS: list[str] = []


def _watch_policies(context) -> None:
    def violation(source, text: str) -> None:
        _POLICY_PROBLEMS.append(f"violation on {source['page'].url}: {text}")

    def console(message) -> None:
        if POLICY_CONSOLE.search(message.text):
            where = message.page.url if message.page else "?"
            _POLICY_PROBLEMS.append(f"console {message.type} on {where}: {message.text}")

    def response(response) -> None:
        if response.request.resource_type != "document" or not response.ok:
            return
        for header in ("content-security-policy", "permissions-policy"):
            if header not in response.headers:
                _POLICY_PROBLEMS.append(f"{response.url} came without {header}")

    context.expose_binding("__e2ePolicyViolation", violation)
    context.add_init_script(VIOLATION_LISTENER)
    context.on("console", console)
    context.on("response", response)


@pytest.fixture(autouse=True)
def _no_policy_violation():
    """Fails the test when any page of any of its browser contexts broke the policies."""
    _POLICY_PROBLEMS.clear()
    yield
    problems = list(_POLICY_PROBLEMS)
    _POLICY_PROBLEMS.clear()
    if problems:
        pytest.fail("the security policies were broken:\n  " + "\n  ".join(problems))


@pytest.fixture(scope="session")
def browser(require_server):
    """One headless chromium for the session (Playwright gives it a fresh temporary profile,
    i.e. a new user-data dir, removed when it closes)."""
    if not os.access(CHROMIUM, os.X_OK):
        require_server("chromium", f"{CHROMIUM} not found; run scripts/chromium.sh")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        new_context = browser.new_context

        def watched_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            _watch_policies(context)
            return context

        browser.new_context = watched_context  # every context of every test is watched
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(browser, transactional_db, live_server, request):
    """A new browser context per test, with ``base_url`` pointing at the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    if request.node.stash.get(_CALL_FAILED, False):
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for number, open_page in enumerate(context.pages):
            # A screenshot that cannot be taken must not hide the real failure.
            with contextlib.suppress(Exception):
                open_page.screenshot(path=RESULTS_DIR / f"{name}-{number}.png", full_page=True)
    context.close()


@pytest.fixture
def page(context):
    """A new page in this test's own browser context; ``page.goto("/path")`` is relative to the
    live server."""
    return context.new_page()


@pytest.fixture
def login_as() -> Callable:
    """``login_as(page, username, password)``: log in through the real form at /login/."""

    def _login_as(page, username: str, password: str) -> None:
        page.goto(LOGIN_PATH)
        form = page.locator("form").filter(has=page.locator('input[name="password"]'))
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(password)
        submit = form.locator('button[type="submit"], input[type="submit"], button:not([type])')
        with page.expect_navigation():
            submit.first.click()
        if urlsplit(page.url).path == LOGIN_PATH:
            pytest.fail(f"log-in as {username!r} was refused (still on {page.url})")

    return _login_as
