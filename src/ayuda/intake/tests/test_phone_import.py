"""Importing phone records: counts, re-imports, refusals, links to tickets, the hourly roll-up."""

from datetime import UTC, datetime, timedelta

import pytest

from ayuda.accounts.tests.factories import user_make
from ayuda.intake.phone.models import Call, CallHour, CallSource, SourceKind
from ayuda.intake.phone.rollup import call_hours_refresh, wait_bucket
from ayuda.intake.phone.services import LINK_WINDOW_AFTER, calls_import
from ayuda.intake.reasons import reason_text
from ayuda.tickets.models import Channel, Ticket
from ayuda.tickets.tests.factories import ticket_make

from .phone_fixtures import ENGLISH_MAPPING, SPANISH_MAPPING, phone_fixture, source_make

pytestmark = pytest.mark.django_db

H8 = datetime(2026, 3, 2, 8, tzinfo=UTC)
H9 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def histogram(**counts: int) -> list[int]:
    """A histogram with ``b<index>=count``."""
    values = [0] * 21
    for name, n in counts.items():
        values[int(name[1:])] = n
    return values


def test_queue_log_import_counts_and_reimport_adds_nothing():
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    data = phone_fixture("queue_log")

    # when
    first = calls_import(source=source, data=data, filename="queue_log")
    again = calls_import(source=source, data=data, filename="queue_log")

    # then
    assert (first.lines, first.added, first.duplicates, first.refused, first.failure) == (
        28, 7, 0, 4, "",
    )  # fmt: skip
    assert [e["line"] for e in first.errors] == [14, 16, 25, 27]
    assert (again.added, again.duplicates, again.refused) == (0, 7, 4)
    assert Call.objects.count() == 7
    notes = [reason_text(e["reason"]) for e in again.errors if e["line"] == 5]
    assert notes == [f"Line 5: call 1772438500.1 was already imported (import #{first.pk}); "
                     "not counted again."]  # fmt: skip
    assert CallHour.objects.filter(source=source).count() == 3  # re-import wrote the same rows


def test_queue_log_roll_up_per_hour_with_histograms():
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)

    # when
    calls_import(source=source, data=phone_fixture("queue_log"), filename="queue_log")

    # then: 08:00 UTC, soporte: answered after 18 s (talk 300), abandoned after 45 s, timed
    # out after 120 s
    h8 = CallHour.objects.get(source=source, hour=H8, queue="soporte")
    assert (h8.offered, h8.answered, h8.abandoned, h8.timeout) == (3, 1, 1, 1)
    assert (h8.wait_seconds, h8.answered_wait_seconds, h8.abandoned_wait_seconds) == (183, 18, 165)
    assert h8.talk_seconds == 300
    assert h8.answered_waits == histogram(b3=1)  # 15 <= 18 < 20
    assert h8.missed_waits == histogram(b8=1, b13=1)  # 45 <= 45 < 50; 120 <= 120 < 150
    # 09:00 UTC: soporte: key pressed after 10 s, empty queue at 0 s, answered after 7 s (60)
    h9 = CallHour.objects.get(source=source, hour=H9, queue="soporte")
    assert (h9.offered, h9.answered, h9.abandoned, h9.timeout) == (3, 1, 0, 2)
    assert (h9.wait_seconds, h9.answered_wait_seconds, h9.abandoned_wait_seconds) == (17, 7, 10)
    assert h9.talk_seconds == 60
    assert h9.answered_waits == histogram(b1=1)
    assert h9.missed_waits == histogram(b0=1, b2=1)
    ventas = CallHour.objects.get(source=source, hour=H9, queue="ventas")
    assert (ventas.offered, ventas.answered, ventas.talk_seconds) == (1, 1, 200)
    assert ventas.answered_waits == histogram(b1=1)


def test_master_csv_import():
    # given
    source = source_make(SourceKind.ASTERISK_CDR)

    # when
    record = calls_import(source=source, data=phone_fixture("Master.csv"), filename="Master.csv")

    # then
    assert (record.lines, record.added, record.duplicates, record.refused) == (9, 5, 0, 4)
    assert sorted(Call.objects.values_list("outcome", flat=True)) == [
        "abandoned", "answered", "answered", "timeout", "timeout",
    ]  # fmt: skip
    h8 = CallHour.objects.get(hour=H8, queue="soporte")
    assert (h8.offered, h8.answered, h8.abandoned, h8.wait_seconds, h8.talk_seconds) == (
        2, 1, 1, 105, 300,
    )  # fmt: skip
    assert h8.answered_waits == histogram(b6=1)  # 30 <= 30 < 40
    assert h8.missed_waits == histogram(b11=1)  # 75 <= 75 < 90


def test_spanish_csv_in_cp1252_imports_in_madrid_time():
    # given
    source = source_make(SourceKind.CSV, mapping=SPANISH_MAPPING)

    # when
    record = calls_import(
        source=source, data=phone_fixture("llamadas_cp1252.csv"), filename="llamadas.csv"
    )

    # then: 09:15, 09:20, 09:40 in Madrid are the 08:00 UTC hour; 10:05 is 09:00 UTC
    assert (record.added, record.refused) == (4, 0)
    assert Call.objects.get(key="A-4").agent == "José"
    h8 = CallHour.objects.get(hour=H8, queue="Atención")
    assert (h8.offered, h8.answered, h8.abandoned, h8.timeout) == (3, 1, 1, 1)
    assert (h8.answered_wait_seconds, h8.abandoned_wait_seconds, h8.talk_seconds) == (25, 150, 180)


def test_bad_lines_are_listed_and_good_ones_kept():
    # given
    source = source_make(SourceKind.CSV, mapping=ENGLISH_MAPPING)

    # when
    record = calls_import(
        source=source, data=phone_fixture("calls_bad_lines.csv"), filename="bad.csv"
    )

    # then
    assert (record.lines, record.added, record.refused) == (10, 2, 7)
    assert [e["line"] for e in record.errors] == [3, 4, 5, 6, 7, 8, 9]
    assert record.errors[0]["text"].startswith("B-2,02/03/2026 09:05")
    assert sorted(Call.objects.values_list("key", flat=True)) == ["B-1", "B-8"]


def test_wrong_columns_refuse_the_file_and_store_nothing():
    # given
    source = source_make(SourceKind.CSV, mapping=ENGLISH_MAPPING)

    # when
    record = calls_import(
        source=source, data=phone_fixture("calls_wrong_columns.csv"), filename="wrong.csv"
    )

    # then
    assert record.pk and record.added == 0 and record.errors == []
    assert "does not have the mapped columns" in reason_text(record.failure)
    assert not Call.objects.exists() and not CallHour.objects.exists()


def test_unknown_encoding_refuses_the_file():
    # given
    source = source_make(SourceKind.CSV, mapping={**ENGLISH_MAPPING, "encoding": "ebcdic-x"})

    # when
    record = calls_import(source=source, data=b"call_id\n", filename="x.csv")

    # then
    assert record.failure and not Call.objects.exists()


def test_latin1_declared_in_mapping_imports():
    # given
    source = source_make(SourceKind.CSV, mapping={**ENGLISH_MAPPING, "encoding": "latin-1"})
    data = "call_id,started,queue,from,agent,wait,talk,result\n".encode("latin-1")
    data += "L-1,2026-03-02 09:00:00,Atención,1,Núria,5,60,answered\n".encode("latin-1")

    # when
    record = calls_import(source=source, data=data, filename="l.csv")

    # then
    assert record.added == 1 and Call.objects.get().agent == "Núria"


def _phone_ticket(phone: str, created_at: datetime) -> Ticket:
    ticket = ticket_make(requester=user_make(phone=phone), channel=Channel.PHONE)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at)
    return ticket


def test_calls_link_to_the_callers_phone_ticket_within_the_window():
    # given: the queue log's 08:01:40 call from 612345678 waited 18 s and talked 300 s, so it
    # ended 08:07:18; the window runs to 08:37:18. The 09:01:40 call from +34 612 345 678
    # (ventas) waited 5 s and talked 200 s: ended 09:05:05.
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    ended = datetime(2026, 3, 2, 8, 7, 18, tzinfo=UTC)
    inside = _phone_ticket("0034 612 345 678", ended + timedelta(minutes=2))
    _phone_ticket("612 345 678", ended + timedelta(minutes=10))  # also inside, further away
    _phone_ticket("699 000 000", ended)  # another caller
    ticket_make(requester=user_make(phone="612345678"), channel=Channel.EMAIL)  # not phone
    late = _phone_ticket(
        "612345678", datetime(2026, 3, 2, 9, 5, 5, tzinfo=UTC) + LINK_WINDOW_AFTER
        + timedelta(seconds=1),
    )  # fmt: skip

    # when
    record = calls_import(source=source, data=phone_fixture("queue_log"), filename="queue_log")

    # then
    assert record.linked == 1
    assert Call.objects.get(key="1772438500.1").ticket_id == inside.pk
    assert Call.objects.get(key="1772442100.4").ticket_id is None  # just outside
    assert late.calls.count() == 0


def test_call_just_inside_the_window_is_linked():
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    edge = _phone_ticket("612345678", datetime(2026, 3, 2, 9, 5, 5, tzinfo=UTC) + LINK_WINDOW_AFTER)

    # when
    record = calls_import(source=source, data=phone_fixture("queue_log"), filename="queue_log")

    # then: the 08:01 call's window ends 08:37, so only the 09:01 call takes it
    assert record.linked == 1
    assert Call.objects.get(key="1772442100.4").ticket_id == edge.pk


def test_linking_is_a_fixed_number_of_queries(django_assert_max_num_queries):
    # given: many tickets for many callers
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    for n in range(5):
        _phone_ticket(f"60000000{n}", datetime(2026, 3, 2, 9, 5, tzinfo=UTC))

    # when / then
    with django_assert_max_num_queries(25):
        record = calls_import(source=source, data=phone_fixture("queue_log"), filename="queue_log")
    assert record.linked == 2  # 600000001 and 600000002 called at 09:03 and 09:05


def test_refresh_a_range_leaves_other_hours_alone():
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    calls_import(source=source, data=phone_fixture("queue_log"), filename="queue_log")
    CallHour.objects.filter(hour=H8).update(offered=99)
    CallHour.objects.filter(hour=H9).update(offered=99)

    # when: the 09:00 hour only (until inside it)
    written = call_hours_refresh(source_id=source.pk, since=H9 + timedelta(minutes=5),
                                 until=H9 + timedelta(minutes=30))  # fmt: skip

    # then
    assert written == 2
    assert CallHour.objects.get(hour=H8).offered == 99
    assert sorted(CallHour.objects.filter(hour=H9).values_list("offered", flat=True)) == [1, 3]

    # and a full refresh puts everything back
    assert call_hours_refresh() == 3
    assert CallHour.objects.get(hour=H8).offered == 3


def test_wait_buckets_follow_the_edges():
    assert [wait_bucket(s) for s in (0, 4, 5, 19, 20, 899, 900, 5000)] == [
        0, 0, 1, 3, 4, 19, 20, 20,
    ]  # fmt: skip


def test_import_keeps_sources_apart():
    # given: the same file in two phone systems
    one = source_make(SourceKind.ASTERISK_QUEUE_LOG, name="Madrid")
    two = source_make(SourceKind.ASTERISK_QUEUE_LOG, name="Roma")

    # when
    calls_import(source=one, data=phone_fixture("queue_log"), filename="q")
    record = calls_import(source=two, data=phone_fixture("queue_log"), filename="q")

    # then
    assert record.added == 7 and Call.objects.count() == 14
    assert CallSource.objects.count() == 2


def test_text_with_tabs_and_backslashes_is_stored_as_it_is():
    # given: COPY's text format escapes these on PostgreSQL
    source = source_make(SourceKind.CSV, mapping=ENGLISH_MAPPING)
    data = b"call_id,started,queue,from,agent,wait,talk,result\n"
    data += b'"K\\1","2026-03-02 09:00:00","a\tb","1","DOM\\ana","5","60","answered"\n'

    # when
    record = calls_import(source=source, data=data, filename="t.csv")

    # then
    call = Call.objects.get()
    assert record.added == 1
    assert (call.key, call.queue, call.agent) == ("K\\1", "a\tb", "DOM\\ana")


def test_import_queries_do_not_grow_with_the_file(django_assert_max_num_queries):
    # given: 10 calls, then 300 calls, for callers who all have phone tickets
    source = source_make(SourceKind.CSV, mapping=ENGLISH_MAPPING)
    head = b"call_id,started,queue,from,agent,wait,talk,result\n"

    def rows(prefix: str, n: int) -> bytes:
        return b"".join(
            f"{prefix}{i},2026-03-02 09:{i % 60:02d}:00,q,61234{i:04d},a,5,60,answered\n".encode()
            for i in range(n)
        )

    for i in range(0, 300, 30):
        _phone_ticket(f"61234{i:04d}", datetime(2026, 3, 2, 8, 30, tzinfo=UTC) + timedelta(
            minutes=i % 60))  # fmt: skip

    # when / then
    with django_assert_max_num_queries(24) as small:
        calls_import(source=source, data=head + rows("s", 10), filename="s.csv")
    with django_assert_max_num_queries(len(small)):
        record = calls_import(source=source, data=head + rows("b", 300), filename="b.csv")
    assert (record.added, record.linked) == (300, 10)  # each ticket's caller called once
