"""Filters that run before a mail may become a ticket: auto-replies, bounces and loops.

Only headers and structure are read here; the per-sender rate limit needs the database and
lives in ``ingest``.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from .parsing import ParsedMail, message_ids

LOOP_HEADER = "X-Ayuda-Loop"

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?(?:\s+reply|\s*:)|auto-?reply|out of (?:the )?office|"
    r"respuesta autom[aá]tica|fuera de la oficina|risposta automatica|fuori sede|"
    r"absence|abwesenheit|automatische antwort|r[ée]ponse automatique)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliver(?:able|ed)|delivery status notification|mail delivery failed|"
    r"returned mail|failure notice|delivery failure|non recapitabile|no se puede entregar)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|bounce[s]?)@", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """``kind`` is "ok", "auto_reply", "bounce" or "loop"."""

    kind: str
    reason: str = ""  # an untranslated message id (see ``ayuda.intake.reasons``)
    values: dict[str, str] = field(default_factory=dict)
    bounced_message_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def _h(parsed: ParsedMail, name: str) -> str:
    return parsed.header(name).lower()


def _bounced_ids(parsed: ParsedMail) -> list[str]:
    ids: list[str] = []
    for part in parsed.message.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                ids += message_ids(str(inner[0].get("Message-ID", "")))
        elif ctype == "text/rfc822-headers":
            payload = part.get_payload(decode=True) or b""
            match = re.search(rb"^Message-ID:\s*(<[^>]+>)", payload, re.MULTILINE | re.IGNORECASE)
            if match:
                ids.append(match.group(1).decode("ascii", "replace"))
    return ids


def mail_classify(parsed: ParsedMail, *, own_addresses: set[str], instance_id: str = "") -> Verdict:
    """Decide whether a mail is a person writing, or a machine that must not be answered."""
    if instance_id and _h(parsed, LOOP_HEADER) == instance_id.lower():
        return Verdict(
            "loop",
            gettext_noop("%(header)s of this installation: our own mail came back."),
            {"header": LOOP_HEADER},
        )
    if parsed.from_address in own_addresses:
        return Verdict(
            "loop",
            gettext_noop("Sent from one of our own addresses (%(address)s)."),
            {"address": parsed.from_address},
        )

    ctype = parsed.message.get_content_type()
    report_type = (parsed.message.get_param("report-type") or "").lower()
    if ctype == "multipart/report" and report_type == "delivery-status":
        return Verdict(
            "bounce",
            gettext_noop("Delivery status notification."),
            bounced_message_ids=_bounced_ids(parsed),
        )
    if ctype == "multipart/report" and report_type == "disposition-notification":
        return Verdict(
            "auto_reply", gettext_noop("Read receipt (message disposition notification).")
        )
    return_path = _h(parsed, "Return-Path")
    if _DAEMON.match(parsed.from_address) or (
        return_path == "<>" and _BOUNCE_SUBJECT.match(parsed.subject)
    ):
        return Verdict(
            "bounce",
            gettext_noop("Sent by a mail server about a failed delivery."),
            bounced_message_ids=_bounced_ids(parsed),
        )

    auto_submitted = _h(parsed, "Auto-Submitted")
    if auto_submitted and auto_submitted != "no":
        return Verdict(
            "auto_reply", gettext_noop("Auto-Submitted: %(value)s."), {"value": auto_submitted}
        )
    precedence = _h(parsed, "Precedence")
    if precedence in ("bulk", "junk", "auto_reply", "list"):
        return Verdict("auto_reply", gettext_noop("Precedence: %(value)s."), {"value": precedence})
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder"):
        if _h(parsed, header):
            return Verdict("auto_reply", gettext_noop("%(header)s header."), {"header": header})
    if _h(parsed, "X-Auto-Response-Suppress") in ("all", "oof") and _AUTO_SUBJECT.match(
        parsed.subject
    ):
        return Verdict("auto_reply", gettext_noop("Outlook automatic reply."))
    if _h(parsed, "X-Loop") or _h(parsed, "X-Precedence") in ("bulk", "auto_reply"):
        return Verdict("auto_reply", gettext_noop("X-Loop or X-Precedence header."))
    if _AUTO_SUBJECT.match(parsed.subject):
        return Verdict("auto_reply", gettext_noop("The subject is an automatic reply's."))
    return Verdict("ok")
