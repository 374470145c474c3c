"""The signature checks shown in docs/webhooks.md work on a real delivery."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from ayuda.tickets.tests.factories import desk_make, ticket_make

from .factories import subscription_make

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "webhooks.md"


def _snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_both_documented_checks_accept_a_real_delivery_and_refuse_a_forged_one(receiver, committed):
    # given
    desk = desk_make()
    _subscription, secret = subscription_make(admin=desk.admin, url=receiver.url)
    committed(ticket_make, requester=desk.requester)
    request = receiver.requests[0]
    library, stdlib = _snippets()

    # when
    namespace = {"secret": secret, "body": request.body, "headers": request.headers}
    exec(library, namespace)
    exec(stdlib, namespace)

    # then
    assert namespace["payload"]["type"] == "ticket.created"
    assert namespace["verify"](secret, request.headers, request.body) is True
    assert namespace["verify"](secret, request.headers, request.body + b" ") is False
    assert len(stdlib.strip().splitlines()) <= 7
