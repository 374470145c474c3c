"""A page of the workspace loads without a console error (the browser asks for /favicon.ico
unless the page names its icon: a 404 on every page load)."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_login_page_loads_without_a_console_error(page):
    # given
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # when
    page.goto("/login/")
    page.wait_for_load_state("networkidle")

    # then
    assert failed == [] and errors == []
    icon = page.locator("link[rel=icon]")
    assert icon.count() == 1
    assert page.request.get(icon.get_attribute("href")).ok
