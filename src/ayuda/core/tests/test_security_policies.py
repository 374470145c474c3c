"""The security policy headers as an administrator configures them (docs/security.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .security_headers import DENIED_FEATURES, csp_directives

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[3]


def test_permissions_policy_is_written_from_the_setting(client, settings):
    # given: an administrator allows one feature to the site itself
    settings.PERMISSIONS_POLICY = {**{f: [] for f in DENIED_FEATURES}, "fullscreen": ["self"]}

    # when
    response = client.get("/login/")

    # then
    assert response["Permissions-Policy"] == (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)"
    )


def test_a_page_that_uses_no_nonce_gets_a_policy_without_one(client):
    # when: a page of ours (no inline script or style)
    response = client.get("/login/")

    # then
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]


def test_a_report_address_is_added_from_the_environment():
    # given
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "ayuda.config.settings.test",
        "AYUDA_CSP_REPORT_URI": "https://reports.example/csp",
        "PYTHONPATH": str(SRC),  # this checkout's code, whatever the environment installed
    }
    code = "from django.conf import settings; print(settings.SECURE_CSP['report-uri'])"

    # when
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['https://reports.example/csp']"
