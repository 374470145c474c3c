"""Access to the e-mail fixture corpus and its expected results."""

import json
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "email"


@cache
def expected() -> dict[str, dict]:
    data = json.loads((FIXTURES / "expected.json").read_text())
    data.pop("_doc", None)
    return data


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_names() -> list[str]:
    return sorted(expected())


def ticket_from(ingest, name: str, mailbox):
    """The ticket a fixture mail opens (it must open one)."""
    from ayuda.intake.models import InboundMailStatus

    row, _ = ingest(fixture_bytes(name), mailbox)
    assert row.status == InboundMailStatus.PROCESSED, row.reason
    return row.ticket
