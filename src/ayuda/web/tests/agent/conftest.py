"""Shared set-up for the agent workspace tests: a small help desk and a few real files."""

import pytest

from ayuda.tickets.tests.factories import desk_make

# Enough of a PNG for the content check (signature, header chunk, end chunk).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(db):
    return desk_make()
