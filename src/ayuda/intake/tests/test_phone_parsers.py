"""Reading the phone system's files line by line (no database)."""

from datetime import UTC, datetime

import pytest

from ayuda.intake.phone.parsers import (
    FileRefused,
    LineError,
    ParsedCall,
    caller_key,
    cdr_parse,
    csv_parse,
    mapping_problems,
    queue_log_parse,
)
from ayuda.intake.reasons import reason_text

from .phone_fixtures import ENGLISH_MAPPING, SPANISH_MAPPING, phone_fixture


def split(items):
    items = list(items)
    calls = [i for i in items if isinstance(i, ParsedCall)]
    errors = {i.line: reason_text(i.reason) for i in items if isinstance(i, LineError)}
    return calls, errors


def test_master_csv_reads_answered_missed_and_refuses_bad_lines():
    # when
    calls, errors = split(cdr_parse(phone_fixture("Master.csv"), timezone="Europe/Madrid"))

    # then: 09:00:05 in Madrid (CET) is 08:00:05 UTC; wait = answer - start, talk = billsec
    first = calls[0]
    assert (first.key, first.arrived_at, first.queue, first.caller, first.agent) == (
        "1772438405.1", datetime(2026, 3, 2, 8, 0, 5, tzinfo=UTC), "soporte", "612345678",
        "SIP/201",
    )  # fmt: skip
    assert (first.outcome, first.waited, first.talk) == ("answered", 30, 300)
    assert [(c.line, c.outcome, c.waited, c.talk, c.queue) for c in calls] == [
        (1, "answered", 30, 300, "soporte"),
        (2, "abandoned", 75, 0, "soporte"),  # NO ANSWER: waited the whole duration
        (3, "timeout", 3, 0, "600"),  # BUSY, not a queue: the dialled number
        (4, "answered", 12, 120, "soporte"),
        (8, "timeout", 0, 0, "600"),  # FAILED
    ]
    assert set(errors) == {5, 6, 7, 9}
    assert errors[5] == "Line 5 is the same call as line 1."
    assert "Line 6: “02/03/2026 10:30:00” is not a date and time" in errors[6]
    assert errors[7].startswith("Line 7: the duration and billed seconds")
    assert errors[9] == "Line 9 has 17 columns instead of 18."


def test_master_csv_without_uniqueid_is_keyed_by_its_fields():
    # given: 16 columns (no loguniqueid)
    line = (
        '"","612345678","600","from-pstn","x","SIP/t-1","SIP/201-2","Queue","soporte",'
        '"2026-03-02 09:00:00","2026-03-02 09:00:10","2026-03-02 09:01:10",70,60,"ANSWERED",'
        '"DOCUMENTATION"\n'
    )

    # when
    calls, errors = split(cdr_parse((line * 2).encode(), timezone="UTC"))

    # then
    assert len(calls) == 1 and calls[0].key.startswith("h:")
    assert errors == {2: "Line 2 is the same call as line 1."}


def test_master_csv_with_wrong_columns_is_refused_whole():
    with pytest.raises(FileRefused, match="line 1 has 3 columns"):
        list(cdr_parse(b"a,b,c\n", timezone="UTC"))


def test_queue_log_assembles_calls_from_their_events():
    # when
    calls, errors = split(queue_log_parse(phone_fixture("queue_log")))

    # then
    by_key = {c.key: c for c in calls}
    assert len(calls) == 7
    answered = by_key["1772438500.1"]
    assert (answered.arrived_at, answered.caller, answered.agent) == (
        datetime(2026, 3, 2, 8, 1, 40, tzinfo=UTC), "612345678", "Agent/201",
    )  # fmt: skip
    assert (answered.outcome, answered.waited, answered.talk) == ("answered", 18, 300)
    assert [(by_key[k].outcome, by_key[k].waited) for k in (
        "1772438600.2", "1772438700.3", "1772442200.5", "1772442300.6")] == [
        ("abandoned", 45), ("timeout", 120), ("timeout", 10), ("timeout", 0),
    ]  # fmt: skip
    assert (by_key["1772442100.4"].queue, by_key["1772442100.4"].talk) == ("ventas", 200)
    assert (by_key["1772442500.8"].waited, by_key["1772442500.8"].talk) == (7, 60)
    assert set(errors) == {14, 16, 25, 27}
    assert errors[14] == "Line 14 repeats a call already read in this file."
    assert errors[16] == "Line 16: “abc” is not a time in seconds since 1970."
    assert errors[25].startswith("Line 25: call 1772442400.7 has not finished in this file")
    assert errors[27].startswith("Line 27: the times of the CONNECT event")


def test_queue_log_call_begun_before_the_file_dates_from_its_end():
    # given: only the end of a call (its ENTERQUEUE was in the previous file)
    data = b"1772438600|77.1|soporte|Agent/201|COMPLETEAGENT|20|100|1\n"

    # when
    calls, errors = split(queue_log_parse(data))

    # then: arrived 120 s before it ended
    assert errors == {}
    assert calls[0].arrived_at == datetime(2026, 3, 2, 8, 1, 20, tzinfo=UTC)


def test_queue_log_refuses_another_format_whole():
    with pytest.raises(FileRefused, match="not an Asterisk queue log"):
        list(queue_log_parse(b"call_id,started\n1,2\n"))


def test_spanish_cp1252_csv_with_the_saved_mapping():
    # when
    calls, errors = split(
        csv_parse(phone_fixture("llamadas_cp1252.csv"), timezone="Europe/Madrid",
                  mapping=SPANISH_MAPPING)
    )  # fmt: skip

    # then
    assert errors == {}
    assert [(c.key, c.arrived_at.hour, c.queue, c.agent, c.outcome, c.waited, c.talk)
            for c in calls] == [
        ("A-1", 8, "Atención", "María", "answered", 25, 180),
        ("A-2", 8, "Atención", "", "abandoned", 60, 0),
        ("A-3", 8, "Atención", "", "timeout", 90, 0),  # 1:30
        ("A-4", 9, "Atención", "José", "answered", 40, 300),  # 00:40 and 5:00
    ]  # fmt: skip


def test_cp1252_file_read_as_utf8_is_refused_whole():
    # given: the mapping forgets the encoding
    mapping = {**SPANISH_MAPPING, "columns": {**SPANISH_MAPPING["columns"]}}
    del mapping["encoding"]

    # when / then: the header itself does not decode
    with pytest.raises(FileRefused, match="The header row is not utf-8 text"):
        list(csv_parse(phone_fixture("llamadas_cp1252.csv"), timezone="UTC", mapping=mapping))


def test_csv_bad_lines_each_say_their_number_and_reason():
    # when
    calls, errors = split(
        csv_parse(phone_fixture("calls_bad_lines.csv"), timezone="Europe/Madrid",
                  mapping=ENGLISH_MAPPING)
    )  # fmt: skip

    # then
    assert [c.key for c in calls] == ["B-1", "B-8"]
    assert errors == {
        3: "Line 3: “02/03/2026 09:05” is not a date and time like yyyy-mm-dd hh:mm:ss.",
        4: "Line 4: the waiting and talk times must be numbers of seconds (or mm:ss), 0 or more.",
        5: "Line 5: the waiting and talk times must be numbers of seconds (or mm:ss), 0 or more.",
        6: "Line 6 is the same call as line 2.",
        7: "Line 7 has 4 columns instead of 8.",
        8: "Line 8: “lost” is not an outcome the mapping knows (outcome_values).",
        9: "Line 9 is not utf-8 text (declare the file's encoding in the mapping).",
    }


def test_csv_with_wrong_columns_is_refused_whole():
    with pytest.raises(FileRefused, match="“call_id”, “started”"):
        list(csv_parse(phone_fixture("calls_wrong_columns.csv"), timezone="UTC",
                       mapping=ENGLISH_MAPPING))  # fmt: skip


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04rest of a zip", b"abc\x00def", b"%PDF-1.7"], ids=["xlsx", "nul", "pdf"]
)
def test_binary_files_are_refused(data):
    with pytest.raises(FileRefused, match="not a text file"):
        list(queue_log_parse(data))


def test_utf8_with_bom_is_read():
    # given
    data = "\ufeffcall_id,started,queue,from,agent,wait,talk,result\n".encode()
    data += b"X,2026-03-02 09:00:00,q,1,,5,0,abandoned\n"

    # when
    calls, errors = split(csv_parse(data, timezone="UTC", mapping=ENGLISH_MAPPING))

    # then
    assert errors == {} and calls[0].key == "X"


def test_mapping_problems_are_named():
    # when
    problems = [reason_text(p) for p in mapping_problems(
        {"columns": {"when": "Fecha"}, "delimiter": ";;", "encoding": "klingon",
         "outcome_values": {"x": "lost"}})]  # fmt: skip

    # then
    assert any("Unknown roles in “columns”: when" in p for p in problems)
    assert any("needs the roles arrived_at, outcome, waited" in p for p in problems)
    assert any("“delimiter” must be one character" in p for p in problems)
    assert any("“klingon” is not an encoding" in p for p in problems)
    assert any("“outcome_values” maps" in p for p in problems)
    assert mapping_problems(SPANISH_MAPPING) == []


def test_caller_key_is_the_last_nine_digits():
    assert caller_key("+34 612 345 678") == "612345678"
    assert caller_key("0034612345678") == "612345678"
    assert caller_key("600") == "600"
    assert caller_key("anonymous") == ""


def test_queue_log_transfer_ends_an_answered_call_and_a_second_queue_is_its_own_call():
    # given: a call times out of "soporte", enters "ventas" and is transferred after 90 s
    data = (
        b"1772438400|9.1|soporte|NONE|ENTERQUEUE||612345678|1\n"
        b"1772438430|9.1|soporte|NONE|EXITWITHTIMEOUT|1|1|30\n"
        b"1772438431|9.1|ventas|NONE|ENTERQUEUE||612345678|1\n"
        b"1772438441|9.1|ventas|Agent/301|CONNECT|10|9.2|4\n"
        b"1772438531|9.1|ventas|Agent/301|BLINDTRANSFER|2000|from-internal|10|90|1\n"
    )

    # when
    calls, errors = split(queue_log_parse(data))

    # then
    assert errors == {}
    assert [(c.key, c.queue, c.outcome, c.waited, c.talk, c.agent) for c in calls] == [
        ("9.1", "soporte", "timeout", 30, 0, ""),
        ("9.1/2", "ventas", "answered", 10, 90, "Agent/301"),
    ]


def test_queue_log_second_enterqueue_while_open_is_refused():
    # given
    data = (
        b"1772438400|9.1|soporte|NONE|ENTERQUEUE||612345678|1\n"
        b"1772438400|9.1|soporte|NONE|ENTERQUEUE||612345678|1\n"
        b"1772438402|9.1|ventas|NONE|ENTERQUEUE||612345678|1\n"
        b"1772438430|9.1|soporte|NONE|ABANDON|1|1|30\n"
    )

    # when
    calls, errors = split(queue_log_parse(data))

    # then
    assert [(c.key, c.waited) for c in calls] == [("9.1", 30)]
    assert errors == {
        2: "Line 2 is the same call as line 1.",
        3: "Line 3: call 9.1 enters a queue again before its call on line 1 ended.",
    }


def test_a_utf8_file_reads_as_utf8_even_where_cp1252_is_declared():
    # given: the Spanish export saved as UTF-8 this time
    data = phone_fixture("llamadas_cp1252.csv").decode("cp1252").encode("utf-8")

    # when
    calls, errors = split(csv_parse(data, timezone="Europe/Madrid", mapping=SPANISH_MAPPING))

    # then
    assert errors == {}
    assert [c.queue for c in calls] == ["Atención"] * 4
