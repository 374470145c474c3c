"""Production settings: refuse to start half-configured; `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "ayuda.config.settings.production",
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-" + "y" * 20,
    "ALLOWED_HOSTS": "ayuda.example",
    "DATABASE_URL": "sqlite:////tmp/ayuda-deploy-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "AYUDA_ENCRYPTION_KEYS": "a-separate-key-for-stored-mailbox-passwords",
    "AYUDA_HISTORY_KEYS": "a-separate-key-for-the-ticket-history-chain",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    # The browser tests' conftest allows async-unsafe calls in this test process; a deployment
    # never does, so the child process must not inherit that.
    inherited = set(PRODUCTION) | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    # when
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    # then
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("variable", ["SECRET_KEY", "AYUDA_ENCRYPTION_KEYS", "AYUDA_HISTORY_KEYS"])
def test_production_settings_refuse_to_start_without_their_keys(variable):
    # given
    env = {k: v for k, v in PRODUCTION.items() if k != variable}

    # when
    result = _manage("check", env=env)

    # then
    assert result.returncode != 0
    assert f"Set the {variable} environment variable" in result.stderr


def _setting(name: str, *, env: dict) -> str:
    result = _manage(
        "shell", "-c", f"from django.conf import settings; print(settings.{name})", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_hsts_preload_is_off_unless_asked_for():
    # when
    default = _setting("SECURE_HSTS_PRELOAD", env=PRODUCTION)
    asked = _setting("SECURE_HSTS_PRELOAD", env=PRODUCTION | {"SECURE_HSTS_PRELOAD": "true"})

    # then
    assert default == "False"
    assert asked == "True"


def test_check_deploy_is_clean_with_hsts_preload_on():
    # when
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=PRODUCTION | {"SECURE_HSTS_PRELOAD": "true"},
    )

    # then
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_only_the_preload_warning_is_silenced():
    # given: HSTS on without preload, and the HTTPS redirect turned off, which check --deploy
    # must still report
    env = PRODUCTION | {"SECURE_SSL_REDIRECT": "false"}

    # when
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    # then
    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W021" not in result.stderr
