"""Suite-wide pytest configuration for Ayuda.

Tests that need a server that may be missing
============================================

Some tests need a server that the project scripts provide but that a contributor's machine may
lack: Debian's chromium for ``tests/e2e`` (``scripts/chromium.sh``), a Dovecot IMAP server for the
e-mail intake tests (``scripts/dovecot.sh``). Such a test *skips* when the server is missing,
with a reason that starts exactly ``missing server: <name>``, so ``make test`` still passes on a
laptop and the summary (``-ra``) says what was not run and why.

On CI nothing may be skipped silently: when the environment variable ``CI`` is ``true`` every
skip whose reason starts with ``missing server:`` is turned into a **failure** by the
``pytest_runtest_makereport`` / ``pytest_make_collect_report`` hooks below. The hooks look only
at the reason, so all three ways of declaring the need are covered:

1. The marker, checked before the test's fixtures are set up::

       @pytest.mark.needs_server("chromium")              # a server listed in KNOWN_SERVERS
       @pytest.mark.needs_server("foo", port=10143)       # something must listen on the port
       @pytest.mark.needs_server("foo", path="/usr/sbin/foo")  # an executable must exist

   A bare ``needs_server("name")`` for a name not in KNOWN_SERVERS only labels the test
   (``-m needs_server`` selects it); the test or a fixture then checks for itself (2 or 3).

2. The ``require_server`` fixture (session-scoped, so any fixture can use it), when the test or
   a fixture finds out for itself::

       def test_poll(require_server):
           if not tcp_listening("127.0.0.1", 10143):
               require_server("dovecot", "nothing listens on 127.0.0.1:10143")

   ``require_server(name, reason)`` skips with ``missing server: <name> (<reason>)``.

3. A plain ``pytest.skip("missing server: <name> ...")`` anywhere (also ``skipif`` reasons and
   module-level skips), for code that cannot reach the fixture.

Every response carries the security policies
============================================

The session fixture ``_responses_carry_the_security_policies`` puts every response that any test
gets from Django's test client through ``ayuda.core.tests.security_headers.response_problems``:
a response without the Content-Security-Policy or the Permissions-Policy, or an HTML page that
needs what the policy refuses (an inline script or handler, a ``style=""`` attribute…), fails
the test that asked for it. See docs/security.md.

This file also prints which database the run uses in pytest's header (``.ci/run`` runs the suite
on SQLite and again on PostgreSQL).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import NoReturn

import pytest

pytest_plugins = ["pytester"]

MISSING_SERVER = "missing server: "

#: Servers the ``needs_server`` marker knows by name: an executable ``path`` that must exist, or a
#: ``host``/``port`` on which something must listen. Marker keywords override these.
KNOWN_SERVERS: dict[str, dict] = {
    "chromium": {"path": "/usr/bin/chromium", "hint": "run scripts/chromium.sh"},
    "redis": {"port": 6379, "hint": "a production broker; CI machines run it"},
    "rabbitmq": {"port": 5672, "hint": "a production broker; CI machines run it"},
}


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def tcp_listening(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def missing_server_reason(name: str, reason: str) -> str:
    return f"{MISSING_SERVER}{name} ({reason})" if reason else f"{MISSING_SERVER}{name}"


def require_server(name: str, reason: str) -> NoReturn:
    """Skip the running test because server ``name`` is missing (a failure when CI=true)."""
    pytest.skip(missing_server_reason(name, reason))


@pytest.fixture(scope="session", name="require_server")
def require_server_fixture() -> Callable[[str, str], NoReturn]:
    """``require_server(name, reason)``: skip as ``missing server: <name> (<reason>)``."""
    return require_server


def _probe(name: str, **options) -> str | None:
    """Why server ``name`` is missing, or None when it is there (or when nothing says how to
    look for it)."""
    spec = {**KNOWN_SERVERS.get(name, {}), **options}
    hint = f"; {spec['hint']}" if spec.get("hint") else ""
    if "path" in spec:
        if not os.access(spec["path"], os.X_OK):
            return f"{spec['path']} not found{hint}"
    elif "port" in spec:
        host = spec.get("host", "127.0.0.1")
        if not tcp_listening(host, int(spec["port"])):
            return f"nothing listens on {host}:{spec['port']}{hint}"
    # Neither: a label only; the test's own fixtures decide.
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("needs_server"):
        if not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: needs_server needs the server's name")
        name = marker.args[0]
        reason = _probe(name, **marker.kwargs)
        if reason is not None:
            require_server(name, reason)


@pytest.fixture(scope="session", autouse=True)
def _responses_carry_the_security_policies():
    try:
        from django.test.client import ClientHandler

        from ayuda.core.tests.security_headers import response_problems
    except Exception:  # Django not configured: nothing to watch
        yield
        return

    original = ClientHandler.__call__

    def checked(self, environ):
        response = original(self, environ)
        if problems := response_problems(response):
            where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
            raise AssertionError(
                f"{where} answered without the security policies (docs/security.md):\n  "
                + "\n  ".join(problems)
            )
        return response

    ClientHandler.__call__ = checked
    yield
    ClientHandler.__call__ = original


def _ci_failure_text(reason: str) -> str:
    return f"{reason}\nCI=true: a missing server is a failure on CI, not a skip."


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if (
        on_ci()
        and report.skipped
        and call.excinfo is not None
        and call.excinfo.errisinstance(pytest.skip.Exception)
        and str(call.excinfo.value.msg).startswith(MISSING_SERVER)
    ):
        report.outcome = "failed"
        report.longrepr = _ci_failure_text(str(call.excinfo.value.msg))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    report = yield
    if on_ci() and report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2]).removeprefix("Skipped: ")
        if message.startswith(MISSING_SERVER):
            report.outcome = "failed"
            report.longrepr = _ci_failure_text(message)
    return report


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        from django.conf import settings

        database = settings.DATABASES["default"]
    except Exception:  # Django not configured (e.g. pytest --help)
        return []
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        line = "database: SQLite (the tests use an in-memory database)"
    else:
        test_name = database.get("TEST", {}).get("NAME") or f"test_{database.get('NAME')}"
        where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 'default port'}"
        line = f"database: {engine} at {where} (the tests use {test_name})"
    lines = [line]
    if on_ci():
        lines.append("CI=true: 'missing server' skips count as failures")
    return lines
