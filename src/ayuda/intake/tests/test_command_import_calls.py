"""manage.py import_calls FILE --source NAME."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ayuda.intake.phone.models import Call, CallSource, SourceKind

from .phone_fixtures import ENGLISH_MAPPING, FIXTURES, source_make

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_calls", *args, stdout=out)
    return out.getvalue()


def test_creates_the_source_and_imports():
    # when
    output = run(
        str(FIXTURES / "queue_log"), "--source", "Centralita", "--kind", "asterisk_queue_log",
        "--timezone", "Europe/Madrid",
    )  # fmt: skip

    # then
    source = CallSource.objects.get(name="Centralita")
    assert (source.kind, source.timezone) == ("asterisk_queue_log", "Europe/Madrid")
    assert "Added: 7. Duplicates: 0. Refused: 4. Linked: 0." in output
    assert "line 16: Line 16: “abc” is not a time in seconds since 1970." in output
    assert Call.objects.count() == 7

    # and again: nothing added
    assert "Added: 0. Duplicates: 7. Refused: 4." in run(
        str(FIXTURES / "queue_log"), "--source", "Centralita"
    )
    assert Call.objects.count() == 7


def test_unknown_source_without_kind_fails():
    with pytest.raises(CommandError, match="give --kind"):
        run(str(FIXTURES / "queue_log"), "--source", "Nope")


def test_file_refused_whole_exits_non_zero():
    # given
    source_make(SourceKind.CSV, name="Mapped", mapping=ENGLISH_MAPPING)

    # when / then
    with pytest.raises(CommandError, match=r"The file was refused: .*mapped columns"):
        run(str(FIXTURES / "calls_wrong_columns.csv"), "--source", "Mapped")
    assert not Call.objects.exists()


def test_wrong_kind_for_an_existing_source_fails():
    source_make(SourceKind.ASTERISK_CDR, name="CDR")
    with pytest.raises(CommandError, match="reads asterisk_cdr files"):
        run(str(FIXTURES / "queue_log"), "--source", "CDR", "--kind", "asterisk_queue_log")
