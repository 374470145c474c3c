"""The schema and the interactive docs: OpenAPI 3.1, problem+json errors, local Swagger UI
files under the strict Content-Security-Policy."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_1_and_documents_errors_as_problems():
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    operation = schema["paths"]["/api/v1/tickets"]["post"]
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    assert "application/json" in operation["responses"]["201"]["content"]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            assert op.get("summary"), (method, path)
            assert {"401", "404", "422"} <= set(op["responses"]), (method, path)


def test_the_docs_load_swagger_from_this_site_only():
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert "cdn" not in html.lower()
    # no script runs inline: the only inline <script> is JSON data
    for attributes, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for source in sources:
        assert client.get(source).status_code == 200, source
