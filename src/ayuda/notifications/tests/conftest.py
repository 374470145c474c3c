import pytest

from .smtp import smtp_capture_start


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; Django's default mailer points at it for the test."""
    capture, controller = smtp_capture_start()
    settings.MAILERS = capture.mailers_setting()
    yield capture
    controller.stop()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
