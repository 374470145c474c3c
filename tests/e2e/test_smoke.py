"""Smoke: the browser reaches the live server, which answers /health from its database."""

import json

import pytest

pytestmark = pytest.mark.e2e


def test_health_in_the_browser_says_ok(page):
    # when
    response = page.goto("/health")
    # then
    assert response is not None
    assert response.status == 200
    body = response.json()
    assert body == {"status": "ok"}  # an anonymous browser gets no details (docs/security.md)
    # what the browser shows is the same JSON document
    assert json.loads(page.locator("body").inner_text())["status"] == "ok"
