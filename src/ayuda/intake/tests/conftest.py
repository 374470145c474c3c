import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a callable and then its after-commit handlers, as a real commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def imap_server(require_server):
    """The Dovecot of scripts/dovecot.sh; skips as "missing server: dovecot" without it (a
    failure on CI, see the root conftest.py)."""
    from .imap_server import SKIP_HINT, dovecot_running, imap_server_from_env

    server = imap_server_from_env()
    if not dovecot_running(server):
        require_server("dovecot", SKIP_HINT)
    return server


@pytest.fixture
def imap_folder(imap_server):
    """A fresh folder in the test user's mailbox, removed afterwards."""
    name = imap_server.folder_create()
    yield name
    imap_server.folder_delete(name)


@pytest.fixture
def smtp_server(settings):
    from ayuda.notifications.tests.smtp import smtp_capture_start

    capture, controller = smtp_capture_start()
    settings.MAILERS = capture.mailers_setting()
    yield capture
    controller.stop()


@pytest.fixture
def ingest(committed):
    """Ingest one mail (``uid`` for the IMAP-keyed cases) and run its after-commit work."""
    from ayuda.intake.email.ingest import mail_ingest

    def run(raw, mailbox, uid=None):
        return committed(
            mail_ingest, raw=raw, mailbox=mailbox, uid=uid, uidvalidity=1 if uid else None
        )

    return run
