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
# The subjects mail servers give their delivery reports (Postfix, Sendmail, Exim, qmail, Gmail,
# Exchange/Outlook in English, Spanish, Italian, French, German). Anchored and specific: a
# person's "Undelivered parcel" is not one.
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable\s*:|undelivered mail returned to sender|"
    r"delivery status notification|returned mail\s*:|mail delivery failed|"
    r"failure notice\s*$|(?:message )?delivery (?:failure|has failed)|"
    r"mail system error - returned mail|delayed mail \(still being retried\)|"
    r"warning: could not send message|"
    r"(?:messaggio )?non recapitabile\s*:|messaggio non recapitabile|mancata consegna|"
    r"notifica (?:dello |sullo )?stato (?:del(?:la)? )?(?:recapito|consegna)|"
    r"no se puede entregar\s*:|no se pudo entregar|mensaje no entregado|correo devuelto|"
    r"notificaci[oó]n de(?:l)? estado de (?:la )?entrega|"
    r"non remis\s*:|unzustellbar\s*:)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(?:mailer[-_]?daemon|postmaster|mail-?daemon|bounce[s]?)@", re.IGNORECASE)
_DAEMON_NAME = re.compile(
    r"^\s*(?:mail delivery (?:subsystem|system|service)|mailer[- ]daemon|postmaster|"
    r"mail administrator|sistema di (?:consegna )?posta|servizio (?:di )?consegna posta|"
    r"sistema de (?:entrega de )?correo|servicio de entrega de correo)\s*$",
    re.IGNORECASE,
)
_TEXT_MESSAGE_ID = re.compile(r"^Message-ID:[ \t]*(<[^<>\s]+>)", re.MULTILINE | re.IGNORECASE)


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
    """The Message-IDs a delivery report returns: from the returned message or its headers
    (RFC 3462/6533 parts), from a copy quoted in the text (Exim, qmail), and the mail it
    answers. Only our own sent mail is ever looked up with them."""
    ids: list[str] = []
    for part in parsed.message.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                ids += message_ids(str(inner[0].get("Message-ID", "")))
        elif ctype in ("text/rfc822-headers", "message/global-headers"):
            payload = part.get_payload(decode=True) or b""
            match = re.search(rb"^Message-ID:\s*(<[^>]+>)", payload, re.MULTILINE | re.IGNORECASE)
            if match:
                ids.append(match.group(1).decode("ascii", "replace"))
    ids += _TEXT_MESSAGE_ID.findall(parsed.text or "")
    ids += parsed.thread_ids
    unique: list[str] = []
    for mid in ids:
        if mid and mid != parsed.message_id and mid not in unique:
            unique.append(mid)
    return unique


def null_return_path(parsed: ParsedMail) -> bool:
    """The null reverse path (``Return-Path: <>``, or an empty From): RFC 3834 forbids any
    automatic answer."""
    return not parsed.from_address or "".join(_h(parsed, "Return-Path").split()) == "<>"


def auto_response_forbidden(parsed: ParsedMail, verdict: "Verdict") -> bool:
    """Whether no automatic mail (an acknowledgement) may answer this mail, even when an
    administrator lets it through: a null return path, ``Auto-Submitted`` other than "no",
    or any machine's message (RFC 3834, section 2)."""
    auto_submitted = _h(parsed, "Auto-Submitted")
    return (
        not verdict.ok
        or null_return_path(parsed)
        or bool(auto_submitted and auto_submitted != "no")
    )


def _bounce(parsed: ParsedMail) -> Verdict | None:
    """A delivery report by its sender or subject, when it has no report part."""
    if not parsed.from_address:
        return Verdict(
            "bounce",
            gettext_noop(
                "Sent with a null sender address (<>): a delivery report or another "
                "automatic message."
            ),
            bounced_message_ids=_bounced_ids(parsed),
        )
    if _DAEMON.match(parsed.from_address) or _DAEMON_NAME.match(parsed.from_name or ""):
        return Verdict(
            "bounce",
            gettext_noop("Sent by a mail server about a failed delivery."),
            bounced_message_ids=_bounced_ids(parsed),
        )
    if _BOUNCE_SUBJECT.match(parsed.subject):
        return Verdict(
            "bounce",
            gettext_noop("The subject is a mail server's report of a failed delivery."),
            bounced_message_ids=_bounced_ids(parsed),
        )
    return None


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
    if ctype == "multipart/report" and "delivery-status" in report_type:
        return Verdict(
            "bounce",
            gettext_noop("Delivery status notification."),
            bounced_message_ids=_bounced_ids(parsed),
        )
    if ctype == "multipart/report" and report_type == "disposition-notification":
        return Verdict(
            "auto_reply", gettext_noop("Read receipt (message disposition notification).")
        )
    bounce = _bounce(parsed)
    if bounce is not None:
        return bounce

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
