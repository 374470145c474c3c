import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a callable and then its after-commit handlers, as a real commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
