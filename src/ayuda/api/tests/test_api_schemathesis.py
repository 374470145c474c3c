"""Schemathesis: requests generated from the API's own OpenAPI schema, sent as a level 1
agent. No answer is a 5xx, and every answer matches what the schema says (status, media type,
headers, body). Bounded: 10 examples per operation, derandomised, so the run is repeatable."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ayuda.tickets.models import StateCategory
from ayuda.tickets.tests.factories import desk_make, ticket_in

from .helpers import token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes database connections after each request (Django's test client
    stops it from doing so); that would end the test's transaction on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def agent_token(db, settings, _keep_the_test_connection):
    settings.AYUDA_API_RATE_PER_MINUTE = 0
    settings.AYUDA_API_FEED_SETTLE_SECONDS = 0
    desk = desk_make()
    ticket_in(StateCategory.OPEN, desk=desk)  # a ticket, so generated ids sometimes hit one
    return token_for(desk.agent_l1)


def test_the_api_keeps_to_its_schema(agent_token):
    # (Schemathesis's pytest plugin does not run under pytest 9: each operation runs here.)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {agent_token}"}
    failures = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # every operation is tried; all failures are reported
            failures[operation.label] = str(error)[:2000]
    assert operations >= 30
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
