import pytest

from ayuda.webhooks import transport

from .receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A real local receiver, allowed through the SSRF guard by the allow-list."""
    settings.AYUDA_WEBHOOK_ALLOW = ["127.0.0.1/32"]
    server = Receiver().start()
    yield server
    server.stop()
    transport.pools_clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
