"""Reading the phone system's files: each parser streams a file and yields, line by line, a
``ParsedCall`` or a ``LineError`` (the line's number, why it was refused, its first 200
characters). A file that cannot be read at all (not text, wrong columns, an unknown encoding)
raises ``FileRefused`` before anything is yielded that matters: the service stores nothing.

Reasons are kept untranslated (``reasons.reason``: a message id with its values) and shown in
the reader's language (``reasons.reason_text``).

The formats (see docs/phone-records.md):
- Asterisk ``Master.csv`` (cdr_csv): no header, 16 columns, 17 with ``loguniqueid``, 18 with
  ``loguserfield`` as well; times are local time in the source's zone.
- Asterisk ``queue_log``: ``epoch|callid|queue|agent|event|data1|data2|...``; a call is put
  together from its events by call id.
- A generic CSV with a header row, read through the source's saved mapping.
"""

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_noop

from ayuda.intake.reasons import reason

from .models import CallOutcome, SourceKind

TEXT_SHOWN = 200  # characters of a refused line kept with its reason
KEY_MAX = 150  # Call.key's length; longer keys are hashed
BINARY_SNIFF = 8192  # bytes looked at for NULs: a text file has none
NON_DIGITS = re.compile(r"[^0-9]+")

# CDR columns (cdr_csv.c, build_csv_record): accountcode, src, dst, dcontext, clid, channel,
# dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
# then uniqueid (loguniqueid=yes) and userfield (loguserfield=yes).
CDR_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
    "uniqueid", "userfield",
)  # fmt: skip
CDR_SRC, CDR_DST, CDR_DSTCHANNEL, CDR_LASTAPP, CDR_LASTDATA = 1, 2, 6, 7, 8
CDR_START, CDR_ANSWER, CDR_DURATION, CDR_BILLSEC, CDR_DISPOSITION, CDR_UNIQUEID = (
    9, 10, 12, 13, 14, 16,
)  # fmt: skip
CDR_DISPOSITIONS = {
    "ANSWERED": CallOutcome.ANSWERED,
    "NO ANSWER": CallOutcome.ABANDONED,  # the caller hung up while it rang or queued
    "BUSY": CallOutcome.TIMEOUT,
    "FAILED": CallOutcome.TIMEOUT,
    "CONGESTION": CallOutcome.TIMEOUT,
}

# Queue log events that make up a call (app_queue.c; docs.asterisk.org, "Queue Logs").
QL_ENTER = "ENTERQUEUE"  # url|callerid
QL_CONNECT = "CONNECT"  # holdtime|bridgedchanneluniqueid|ringtime
QL_ANSWERED_END = {  # the field positions (in data1..) of holdtime and calltime
    "COMPLETEAGENT": (0, 1),  # holdtime|calltime|origposition
    "COMPLETECALLER": (0, 1),
    "TRANSFER": (2, 3),  # extension|context|holdtime|calltime|origposition
    "BLINDTRANSFER": (2, 3),
    "ATTENDEDTRANSFER": (2, 3),  # method|data|holdtime|calltime|origposition
}
QL_MISSED_END = {  # outcome and the position of waittime
    "ABANDON": (CallOutcome.ABANDONED, 2),  # position|origposition|waittime
    "EXITWITHTIMEOUT": (CallOutcome.TIMEOUT, 2),  # position|origposition|waittime
    "EXITEMPTY": (CallOutcome.TIMEOUT, 2),  # position|origposition|waittime
    "EXITWITHKEY": (CallOutcome.TIMEOUT, 3),  # key|position|origposition|waittime
}

# Generic CSV: the mapping's column roles.
CSV_ROLES = (
    "id", "arrived_at", "queue", "caller", "agent", "waited", "talk", "outcome",
    "answered_at", "ended_at",
)  # fmt: skip
CSV_OUTCOME_DEFAULTS = {o.value: o.value for o in CallOutcome}


@dataclass(slots=True)
class ParsedCall:
    line: int
    key: str
    arrived_at: datetime  # aware, UTC
    queue: str
    caller: str
    agent: str
    outcome: str
    waited: int
    talk: int


@dataclass(slots=True)
class LineError:
    line: int
    reason: str  # reasons.reason(): an untranslated message id and its values
    text: str

    def as_dict(self) -> dict:
        return {"line": self.line, "reason": self.reason, "text": self.text}


class FileRefused(Exception):
    """The whole file is refused; ``reason`` as ``reasons.reason`` stores it."""

    def __init__(self, message: str, /, **values):
        super().__init__(message % values if values else message)
        self.reason = reason(message, **values)


def _refuse(number: int, text, message: str, /, **values) -> LineError:
    return LineError(number, reason(message, **values), str(text)[:TEXT_SHOWN])


class _Joined:
    """A row's text, joined only when a refusal shows it."""

    __slots__ = ("row", "separator")

    def __init__(self, separator: str, row: list[str]):
        self.separator, self.row = separator, row

    def __str__(self) -> str:
        return self.separator.join(self.row)


# --- text ---------------------------------------------------------------------------------


def encoding_check(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise FileRefused(
            gettext_noop("“%(encoding)s” is not an encoding Ayuda knows; write e.g. utf-8, "
                         "cp1252 or latin-1 in the mapping's encoding."),
            encoding=name,
        ) from None  # fmt: skip


def text_check(data: bytes) -> None:
    """Refuse what is not a text file at all (a spreadsheet, an archive, a picture)."""
    head = data[:BINARY_SNIFF]
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        raise FileRefused(
            gettext_noop("This is not a text file. Export the records as text (CSV or the "
                         "phone system's log file) and import that."),
        )  # fmt: skip


class Lines:
    """The file's lines as text, decoded one by one: UTF-8 (with or without a byte-order mark)
    unless another encoding is declared. A line that does not decode is refused with its
    number (``bad``) and read as empty, so the rest of the file goes on."""

    def __init__(self, data: bytes, encoding: str = ""):
        self.data = data
        if data.startswith(codecs.BOM_UTF8):
            self.data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
        self.encoding = encoding_check(encoding or "utf-8")
        if self.encoding != "utf-8" and _is_utf8(self.data):
            # Text that is valid UTF-8 is UTF-8 (in cp1252 it would read as "AtenciÃ³n"):
            # the declared encoding is for the files that are not.
            self.encoding = "utf-8"
        self.bad: list[LineError] = []
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        decode = codecs.getdecoder(self.encoding)
        for raw in io.BytesIO(self.data):
            self.number += 1
            try:
                yield decode(raw)[0]
            except UnicodeDecodeError:
                shown = raw.decode(self.encoding, errors="replace").rstrip("\r\n")
                self.bad.append(
                    _refuse(
                        self.number,
                        shown,
                        gettext_noop(
                            "Line %(line)d is not %(encoding)s text (declare the "
                            "file's encoding in the mapping)."
                        ),
                        line=self.number,
                        encoding=self.encoding,
                    )
                )
                yield "\n"

    def take_bad(self) -> list[LineError]:
        bad, self.bad = self.bad, []
        return bad


def _is_utf8(data: bytes, chunk: int = 1 << 20) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(data[start : start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _seconds(value: str) -> int | None:
    """Whole seconds from ``12``, ``12.4`` or ``[h:]mm:ss``; None when it is none of those or
    negative."""
    if value.isdigit():  # the usual case, quickly
        return int(value)
    value = value.strip()
    if not value:
        return None
    try:
        if ":" in value:
            parts = [int(p) for p in value.split(":")]
            if len(parts) > 3 or any(p < 0 for p in parts):
                return None
            total = 0
            for part in parts:
                total = total * 60 + part
            return total
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    if number < 0 or number != number or number > 10**9:
        return None
    return round(number)


def _key(parts: Iterable[str]) -> str:
    return "h:" + hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def _short_key(key: str) -> str:
    return key if len(key) <= KEY_MAX else _key([key])


def caller_key(number: str) -> str:
    """A phone number's last nine digits: how a call finds its caller's tickets."""
    if number.isdigit():
        return number[-9:]
    return NON_DIGITS.sub("", number)[-9:]


def zone_get(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FileRefused(
            gettext_noop("“%(zone)s” is not a time zone (write e.g. Europe/Madrid)."), zone=name
        ) from None


# --- Asterisk Master.csv ------------------------------------------------------------------


def cdr_parse(
    data: bytes, *, timezone: str, encoding: str = ""
) -> Iterator[ParsedCall | LineError]:
    text_check(data)
    zone = zone_get(timezone)
    lines = Lines(data, encoding)
    reader = csv.reader(lines)
    seen: dict[str, int] = {}
    width = None
    local_cache: dict[str, datetime] = {}

    def when(value: str) -> datetime:
        # Many calls share a second with another: the conversion is remembered per text.
        found = local_cache.get(value)
        if found is None:
            if len(local_cache) > 4096:
                local_cache.clear()
            found = datetime.fromisoformat(value).replace(tzinfo=zone).astimezone(UTC)
            local_cache[value] = found
        return found

    for row in reader:
        number = reader.line_num
        yield from lines.take_bad()
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if width is None:
            if len(row) not in (16, 17, 18):
                raise FileRefused(
                    gettext_noop("These are not Asterisk call detail records: line %(line)d "
                                 "has %(found)d columns, Master.csv has 16, 17 or 18 "
                                 "(accountcode, src, dst, … disposition, amaflags, uniqueid, "
                                 "userfield)."),
                    line=number, found=len(row),
                )  # fmt: skip
            if row[CDR_START].strip().lower() == "start":
                continue  # a header someone added: skipped
            width = len(row)
        text = _Joined(",", row)
        if len(row) != width:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d has %(found)d columns instead of %(expected)d."),
                line=number, found=len(row), expected=width,
            )  # fmt: skip
            continue
        answer_text = ""
        try:
            start = when(row[CDR_START].strip())
            answer_text = row[CDR_ANSWER].strip()
            answer = when(answer_text) if answer_text else None
        except ValueError:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: “%(value)s” is not a date and time like "
                             "2026-03-02 09:15:00."),
                line=number, value=(row[CDR_START] if not answer_text else row[CDR_ANSWER])[:40],
            )  # fmt: skip
            continue
        duration, billsec = _seconds(row[CDR_DURATION]), _seconds(row[CDR_BILLSEC])
        if duration is None or billsec is None:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: the duration and billed seconds must be whole "
                             "numbers of seconds, 0 or more."),
                line=number,
            )  # fmt: skip
            continue
        outcome = CDR_DISPOSITIONS.get(row[CDR_DISPOSITION].strip().upper())
        if outcome is None:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: “%(value)s” is not a disposition (ANSWERED, NO "
                             "ANSWER, BUSY or FAILED)."),
                line=number, value=row[CDR_DISPOSITION][:40],
            )  # fmt: skip
            continue
        if outcome == CallOutcome.ANSWERED and answer is not None:
            waited = max(0, int((answer - start).total_seconds()))
            talk = billsec
        else:
            outcome = CallOutcome.ABANDONED if outcome == CallOutcome.ANSWERED else outcome
            waited, talk = duration, 0
        if row[CDR_LASTAPP].strip().lower() == "queue":
            queue = re.split(r"[,|]", row[CDR_LASTDATA], maxsplit=1)[0].strip()
        else:
            queue = row[CDR_DST].strip()
        unique = row[CDR_UNIQUEID].strip() if width >= 17 else ""
        key = _short_key(unique) if unique else _key(row)
        if key in seen:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d is the same call as line %(first)d."),
                line=number, first=seen[key],
            )  # fmt: skip
            continue
        seen[key] = number
        agent = row[CDR_DSTCHANNEL].strip()
        if outcome == CallOutcome.ANSWERED:
            agent = agent.rsplit("-", 1)[0] if "-" in agent else agent
        else:
            agent = ""
        yield ParsedCall(
            number, key, start, queue[:100], row[CDR_SRC].strip()[:50], agent[:100],
            outcome, waited, talk,
        )  # fmt: skip
    yield from lines.take_bad()


# --- Asterisk queue_log -------------------------------------------------------------------


@dataclass(slots=True)
class _OpenCall:
    line: int
    text: str
    callid: str
    arrived_at: datetime
    queue: str
    caller: str
    agent: str = ""
    waited: int | None = None


def queue_log_parse(data: bytes, *, encoding: str = "") -> Iterator[ParsedCall | LineError]:
    """Calls put together by call id: ENTERQUEUE opens one (data2: the caller's number),
    CONNECT gives the agent and the hold time, COMPLETEAGENT / COMPLETECALLER (or a
    transfer) end an answered call, ABANDON / EXITWITHTIMEOUT / EXITEMPTY / EXITWITHKEY a
    missed one. Other events (agents logging in, pausing, ringing without answer, reloads) are
    not calls and are passed over. A call still open at the end of the file is reported and
    not stored: it is stored when a file with its end is imported."""
    text_check(data)
    lines = Lines(data, encoding)
    open_calls: dict[str, _OpenCall] = {}
    finished: dict[str, tuple[int, int, int]] = {}  # callid -> (segments, enter hash, end hash)
    first = True
    for text in lines:
        number = lines.number
        yield from lines.take_bad()
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        fields = text.split("|")
        if first:
            first = False
            if len(fields) < 5 or not fields[0].strip().isdigit():
                raise FileRefused(
                    gettext_noop("This is not an Asterisk queue log: line %(line)d is not "
                                 "“time|call id|queue|agent|event|…”."),
                    line=number,
                )  # fmt: skip
        if len(fields) < 5:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d is not “time|call id|queue|agent|event|…”."),
                line=number,
            )  # fmt: skip
            continue
        event = fields[4].strip().upper()
        if (
            event != QL_ENTER
            and event != QL_CONNECT
            and event not in QL_ANSWERED_END
            and (event not in QL_MISSED_END)
        ):
            continue  # not a call event
        try:
            epoch = int(fields[0].strip().split(".")[0])
            at = datetime.fromtimestamp(epoch, UTC)
        except (ValueError, OverflowError, OSError):
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: “%(value)s” is not a time in seconds since 1970."),
                line=number, value=fields[0][:40],
            )  # fmt: skip
            continue
        callid, queue, agent = fields[1].strip(), fields[2].strip(), fields[3].strip()
        data_fields = fields[5:]
        if not callid or callid.upper() == "NONE":
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: a call event without a call id."), line=number,
            )  # fmt: skip
            continue
        line_hash = hash(text)
        if event == QL_ENTER:
            call = open_calls.get(callid)
            if call is not None:
                if call.text == text:
                    yield _refuse(
                        number, text,
                        gettext_noop("Line %(line)d is the same call as line %(first)d."),
                        line=number, first=call.line,
                    )  # fmt: skip
                else:
                    yield _refuse(
                        number, text,
                        gettext_noop("Line %(line)d: call %(call)s enters a queue again "
                                     "before its call on line %(first)d ended."),
                        line=number, call=callid[:60], first=call.line,
                    )  # fmt: skip
                continue
            done = finished.get(callid)
            if done is not None and done[1] == line_hash:
                yield _refuse(
                    number, text,
                    gettext_noop("Line %(line)d repeats a call already read in this file."),
                    line=number,
                )  # fmt: skip
                continue
            caller = data_fields[1].strip() if len(data_fields) > 1 else ""
            open_calls[callid] = _OpenCall(number, text, callid, at, queue, caller)
            continue
        call = open_calls.get(callid)
        if event == QL_CONNECT:
            if call is None:
                continue  # its ENTERQUEUE came before this file; the end event will tell
            hold = _seconds(data_fields[0]) if data_fields else None
            if hold is None:
                yield _bad_seconds(number, text, event)
                continue
            call.agent, call.waited = agent, hold
            continue
        # An event that ends a call.
        if event in QL_ANSWERED_END:
            hold_at, talk_at = QL_ANSWERED_END[event]
            hold = _seconds(data_fields[hold_at]) if len(data_fields) > hold_at else None
            talk = _seconds(data_fields[talk_at]) if len(data_fields) > talk_at else None
            if hold is None or talk is None:
                yield _bad_seconds(number, text, event)
                continue
            outcome = CallOutcome.ANSWERED
        else:
            outcome, wait_at = QL_MISSED_END[event]
            hold = _seconds(data_fields[wait_at]) if len(data_fields) > wait_at else None
            if hold is None:
                yield _bad_seconds(number, text, event)
                continue
            talk = 0
        if call is None:
            done = finished.get(callid)
            if done is not None:
                if done[2] == line_hash:
                    yield _refuse(
                        number, text,
                        gettext_noop("Line %(line)d repeats a call already read in this file."),
                        line=number,
                    )  # fmt: skip
                else:
                    yield _refuse(
                        number, text,
                        gettext_noop("Line %(line)d: call %(call)s has already ended."),
                        line=number, call=callid[:60],
                    )  # fmt: skip
                continue
            # Began before this file: the arrival is worked out from the end.
            call = _OpenCall(number, text, callid, at - timedelta(seconds=hold + talk), queue, "")
        else:
            del open_calls[callid]
        segments, enter_hash = 0, hash(call.text)
        if callid in finished:
            segments = finished[callid][0]
        finished[callid] = (segments + 1, enter_hash, line_hash)
        key = callid if segments == 0 else f"{callid}/{segments + 1}"
        yield ParsedCall(
            call.line, _short_key(key), call.arrived_at, (call.queue or queue)[:100],
            call.caller[:50], (agent or call.agent)[:100] if outcome == CallOutcome.ANSWERED
            else "", outcome, hold, talk,
        )  # fmt: skip
    yield from lines.take_bad()
    for call in open_calls.values():
        yield _refuse(
            call.line, call.text,
            gettext_noop("Line %(line)d: call %(call)s has not finished in this file (no "
                         "COMPLETEAGENT, COMPLETECALLER, ABANDON or EXIT… event); it is "
                         "imported with the file that holds its end."),
            line=call.line, call=call.callid[:60],
        )  # fmt: skip


def _bad_seconds(number: int, text: str, event: str) -> LineError:
    return _refuse(
        number, text,
        gettext_noop("Line %(line)d: the times of the %(event)s event must be whole numbers "
                     "of seconds, 0 or more."),
        line=number, event=event,
    )  # fmt: skip


# --- generic CSV --------------------------------------------------------------------------


def mapping_problems(mapping) -> list[str]:
    """What is wrong with a saved mapping, as untranslated reasons (empty when it is fine)."""
    if not isinstance(mapping, dict):
        return [reason(gettext_noop("The mapping must be a JSON object."))]
    problems = []
    columns = mapping.get("columns")
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in columns.items()
    ):
        return [reason(gettext_noop("“columns” must map roles to column names (text)."))]
    unknown = sorted(set(columns) - set(CSV_ROLES))
    if unknown:
        problems.append(
            reason(
                gettext_noop("Unknown roles in “columns”: %(roles)s (known: %(known)s)."),
                roles=", ".join(unknown),
                known=", ".join(CSV_ROLES),
            )
        )
    needed = [r for r in ("arrived_at", "outcome") if r not in columns]
    if "waited" not in columns and "answered_at" not in columns:
        needed.append("waited")
    if needed:
        problems.append(
            reason(gettext_noop("“columns” needs the roles %(roles)s."), roles=", ".join(needed))
        )
    delimiter = mapping.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        problems.append(reason(gettext_noop("“delimiter” must be one character, e.g. ; or ,")))
    encoding = mapping.get("encoding", "")
    if encoding:
        try:
            encoding_check(str(encoding))
        except FileRefused as exc:
            problems.append(exc.reason)
    date_format = mapping.get("date_format", "")
    if date_format and (not isinstance(date_format, str) or "%" not in date_format):
        problems.append(
            reason(gettext_noop("“date_format” is a strftime pattern, e.g. %d/%m/%Y %H:%M."))
        )
    values = mapping.get("outcome_values", {})
    valid = {o.value for o in CallOutcome}
    if not isinstance(values, dict) or not all(v in valid for v in values.values()):
        problems.append(
            reason(
                gettext_noop(
                    "“outcome_values” maps the file's values to answered, abandoned or timeout."
                ),
            )
        )
    return problems


def _date_reader(date_format: str, zone: ZoneInfo) -> Callable[[str], datetime]:
    cache: dict[str, datetime] = {}

    def read(value: str) -> datetime:
        found = cache.get(value)
        if found is None:
            if len(cache) > 4096:
                cache.clear()
            if date_format:
                moment = datetime.strptime(value, date_format)
            else:
                moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            found = moment.astimezone(UTC)
            cache[value] = found
        return found

    return read


def csv_parse(data: bytes, *, timezone: str, mapping: dict) -> Iterator[ParsedCall | LineError]:
    problems = mapping_problems(mapping)
    if problems:
        raise FileRefused(
            gettext_noop("The phone system's column mapping is not usable; fix it first.")
        )
    text_check(data)
    zone = zone_get(timezone)
    columns: dict[str, str] = mapping["columns"]
    date_format = mapping.get("date_format", "")
    read_date = _date_reader(date_format, zone)
    outcomes = {str(k).strip().lower(): v for k, v in CSV_OUTCOME_DEFAULTS.items()}
    outcomes |= {str(k).strip().lower(): v for k, v in mapping.get("outcome_values", {}).items()}
    lines = Lines(data, str(mapping.get("encoding", "")))
    reader = csv.reader(lines, delimiter=mapping.get("delimiter", ","))
    at: dict[str, int] = {}
    seen: dict[str, int] = {}
    shown_format = date_format.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")
    shown_format = shown_format.replace("%H", "hh").replace("%M", "mm").replace("%S", "ss")
    shown_format = shown_format or "yyyy-mm-dd hh:mm:ss"

    def cell(row: list[str], role: str) -> str:
        index = at.get(role)
        return row[index].strip() if index is not None and index < len(row) else ""

    for row in reader:
        number = reader.line_num
        bad = lines.take_bad()
        if bad and not at:
            raise FileRefused(
                gettext_noop("The header row is not %(encoding)s text: write the file's "
                             "encoding in the mapping (e.g. \"encoding\": \"cp1252\")."),
                encoding=lines.encoding,
            )  # fmt: skip
        yield from bad
        if not row or all(not c.strip() for c in row):
            continue
        if not at:
            header = [c.strip().lstrip("\ufeff") for c in row]
            missing = [name for name in columns.values() if name not in header]
            if missing:
                raise FileRefused(
                    gettext_noop("The file's first line does not have the mapped columns "
                                 "%(missing)s (found: %(found)s). Check the delimiter and "
                                 "the column names in the mapping."),
                    missing=", ".join(f"“{m}”" for m in missing),
                    found=", ".join(f"“{c}”" for c in header[:20])[:400],
                )  # fmt: skip
            at = {role: header.index(name) for role, name in columns.items()}
            width = len(header)
            continue
        text = _Joined(mapping.get("delimiter", ","), row)
        if len(row) != width:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d has %(found)d columns instead of %(expected)d."),
                line=number, found=len(row), expected=width,
            )  # fmt: skip
            continue
        value = ""
        try:
            value = cell(row, "arrived_at")
            arrived = read_date(value)
            value = cell(row, "answered_at")
            answered = read_date(value) if value else None
            value = cell(row, "ended_at")
            ended = read_date(value) if value else None
        except ValueError:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: “%(value)s” is not a date and time like "
                             "%(format)s."),
                line=number, value=value[:40], format=shown_format,
            )  # fmt: skip
            continue
        outcome = outcomes.get(cell(row, "outcome").lower())
        if outcome is None:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: “%(value)s” is not an outcome the mapping "
                             "knows (outcome_values)."),
                line=number, value=cell(row, "outcome")[:40],
            )  # fmt: skip
            continue
        waited = talk = None
        if "waited" in at:
            waited = _seconds(cell(row, "waited"))
        elif answered is not None:
            waited = int((answered - arrived).total_seconds())
        elif ended is not None and outcome != CallOutcome.ANSWERED:
            waited = int((ended - arrived).total_seconds())
        if "talk" in at:
            talk = _seconds(cell(row, "talk")) if cell(row, "talk") else 0
        elif answered is not None and ended is not None:
            talk = int((ended - answered).total_seconds())
        else:
            talk = 0
        if waited is None or waited < 0 or talk is None or talk < 0:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d: the waiting and talk times must be numbers of "
                             "seconds (or mm:ss), 0 or more."),
                line=number,
            )  # fmt: skip
            continue
        if outcome != CallOutcome.ANSWERED:
            talk = 0
        ident = cell(row, "id")
        key = _short_key(ident) if ident else _key(row)
        if key in seen:
            yield _refuse(
                number, text,
                gettext_noop("Line %(line)d is the same call as line %(first)d."),
                line=number, first=seen[key],
            )  # fmt: skip
            continue
        seen[key] = number
        yield ParsedCall(
            number, key, arrived, cell(row, "queue")[:100], cell(row, "caller")[:50],
            cell(row, "agent")[:100] if outcome == CallOutcome.ANSWERED else "",
            outcome, waited, talk,
        )  # fmt: skip
    yield from lines.take_bad()
    if not at:
        raise FileRefused(gettext_noop("The file is empty: a header row is needed."))


def calls_parse(*, kind: str, data: bytes, timezone: str, mapping: dict):
    """The parser for a source's format."""
    encoding = str((mapping or {}).get("encoding", ""))
    if kind == SourceKind.ASTERISK_CDR:
        return cdr_parse(data, timezone=timezone, encoding=encoding)
    if kind == SourceKind.ASTERISK_QUEUE_LOG:
        return queue_log_parse(data, encoding=encoding)
    return csv_parse(data, timezone=timezone, mapping=mapping or {})
