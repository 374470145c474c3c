"""Turn the bytes of a mail into what a ticket needs, with Python's ``email`` package.

Nothing here touches the database. Parsing is tolerant: unknown charsets, broken encoded
words and malformed address headers fall back to the best reading instead of failing; the
only mails refused are those with no usable sender address (``MailParseError``).
"""

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

import nh3

from ayuda.tickets.attachments import IncomingFile, safe_filename

from .charsets import headers_8bit_decode, no_nul, text_decode

MAX_REFERENCES = 100
MESSAGE_ID_STORED = 998  # the columns' length (RFC 5322's line limit); dedup hashes the whole id
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")

# The sanitiser keeps structure and links; scripts, styles, event handlers, forms, iframes and
# dangerous URL schemes are removed. ``cid:`` stays so inline images can be mapped later.
HTML_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
HTML_ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}


class _CachingHeaderRegistry(HeaderRegistry):
    """The modern policy parses a header again on every access (get_body() and friends read
    Content-Type a dozen times per mail). Parsed headers are immutable, so keep the last few
    thousand."""

    def __init__(self) -> None:
        super().__init__()
        self._cache: dict[tuple[str, str], object] = {}

    def __call__(self, name, value):
        key = (name, value)
        header = self._cache.get(key)
        if header is None:
            if len(self._cache) > 5000:
                self._cache.clear()
            header = self._cache[key] = super().__call__(name, value)
        return header


MAIL_POLICY = policy.default.clone(header_factory=_CachingHeaderRegistry())


class MailParseError(Exception):
    """The mail cannot become a ticket or article (no sender, say). It is kept and shown."""


@dataclass
class ParsedMail:
    message: EmailMessage
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    from_name: str
    from_address: str
    to: list[str]
    cc: list[str]
    reply_to: str
    date: datetime | None
    text: str
    html: str  # sanitised
    raw_html: str  # unsanitised, only for quote trimming before sanitising again
    attachments: list[IncomingFile] = field(default_factory=list)
    raw_headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """A header's raw value (first occurrence), unfolded; cheap, not decoded."""
        return self.raw_headers.get(name.lower(), "")

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, most specific first, as the columns store them."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            mid = mid[:MESSAGE_ID_STORED]
            if mid not in seen:
                seen.append(mid)
        return seen

    def digest(self) -> str:
        """A hash of what the sender wrote, blind to transport headers added on the way."""
        h = hashlib.sha256()
        for part in (self.from_address, self.subject, self.date.isoformat() if self.date else ""):
            h.update(part.encode("utf-8", "replace") + b"\x00")
        h.update(self.text.encode("utf-8", "replace") + b"\x00")
        h.update(self.raw_html.encode("utf-8", "replace") + b"\x00")
        for file in self.attachments:
            h.update(file.name.encode("utf-8", "replace") + file.digest().encode())
        return h.hexdigest()


# -- headers ------------------------------------------------------------------------------------


def _header(msg: Message, name: str) -> str:
    """A header as text; never raises on malformed encoded words."""
    try:
        value = msg.get(name)
    except Exception:  # the header parser gave up; read the raw value
        value = None
        for key, raw in msg.raw_items() if hasattr(msg, "raw_items") else []:
            if key.lower() == name.lower():
                value = raw
                break
    if value is None:
        return ""
    return " ".join(str(value).split())


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    values = []
    try:
        header = msg.get(name)
        if header is not None and getattr(header, "addresses", None):
            found = [
                (a.display_name, a.addr_spec.lower())
                for a in header.addresses
                if "@" in (a.addr_spec or "")
            ]
            if found:
                return found
        if header is not None:
            values = [str(header)]
    except Exception:
        values = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    return [(n, a.lower()) for n, a in getaddresses(values) if "@" in a]


def message_ids(value: str) -> list[str]:
    found = MESSAGE_ID_RE.findall(value or "")
    if not found and value and value.strip() and " " not in value.strip():
        found = [f"<{value.strip().strip('<>')}>"]
    return found  # whole: the dedup key hashes all of it; columns cut it where it is stored


# -- bodies -------------------------------------------------------------------------------------


def part_text(part: Message) -> str:
    """Decode a text part, whatever charset it claims."""
    try:
        payload = part.get_payload(decode=True) or b""
    except Exception:  # a transfer encoding the email package cannot undo
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return text_decode(payload, charset)


class _TextExtractor(HTMLParser):
    BLOCK = {
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
        "blockquote", "pre", "hr", "ul", "ol", "dl", "dt", "dd", "section", "article",
    }  # fmt: skip
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_sanitise(html: str, attribute_filter=None) -> str:
    """The sanitiser's rules; ``attribute_filter(tag, attribute, value)`` may rewrite or drop
    (return None) an attribute that the rules keep."""
    if not html.strip():
        return ""
    return nh3.clean(
        html,
        attributes=HTML_ATTRIBUTES,
        url_schemes=HTML_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=attribute_filter,
    ).strip()


def html_for_display(html: str, images: dict[str, str]) -> tuple[str, int]:
    """Kept mail HTML made ready for a page, sanitised again with the same rules. Inline images
    (``cid:``) point at the article's own attachments (``images``: Content-ID -> URL); remote
    images are not loaded, since a tracking pixel tells the sender who read the mail, when and
    from where. Returns the HTML and the number of remote images left out."""
    blocked = 0

    def image_source(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if tag != "img" or attribute != "src":
            return value
        if value.lower().startswith("cid:"):
            return images.get(value[4:].strip("<>"))
        blocked += 1
        return None

    clean = html_sanitise(html, attribute_filter=image_source)
    return clean, blocked


# -- attachments --------------------------------------------------------------------------------


def _content_id(part: Message) -> str:
    """``<image001.png@01D9…>`` -> ``image001.png@01D9…``, as the HTML cites it after "cid:"."""
    raw = str(part.get("Content-ID", "") or "")
    return "".join(raw.split()).strip("<>")[:255]


def _filename(part: Message, index: int, default_stem: str = "attachment") -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        return safe_filename(" ".join(str(name).split()))
    ctype = part.get_content_type()
    ext = {"text/plain": ".txt", "image/jpeg": ".jpg", "text/calendar": ".ics"}.get(
        ctype
    ) or mimetypes.guess_extension(ctype, strict=False)
    return f"{default_stem}-{index}{ext or '.bin'}"


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _collect_files(
    part: Message,
    body_parts: set[int],
    parent_type: str,
    files: list[IncomingFile],
    extra_text: list[str],
) -> None:
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        # A forwarded mail is kept whole, as an .eml file.
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        if inner_msg is None:
            return
        subject = _header(inner_msg, "Subject") or "forwarded message"
        name = _filename(part, len(files) + 1) if part.get_filename() else None
        name = name or safe_filename(f"{subject[:80]}.eml")
        files.append(IncomingFile(name=name, content=bytes(inner_msg.as_bytes(policy=policy.SMTP))))
        return
    if part.is_multipart():
        for sub in part.iter_parts():
            _collect_files(sub, body_parts, ctype, files, extra_text)
        return
    if id(part) in body_parts:
        return
    disposition = _disposition(part)
    has_name = bool(
        part.get_param("name") or part.get_param("filename", header="content-disposition")
    )
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not has_name:
        if parent_type == "multipart/alternative":
            return  # the other rendering of the body
        if ctype == "text/plain":
            extra_text.append(part_text(part))  # Apple Mail splits bodies around images
        return
    if ctype.startswith("message/") or ctype == "text/rfc822-headers":
        return  # delivery-status reports and the like: read by the filters, not kept
    content = part.get_payload(decode=True)
    if content is None:
        return
    inline = disposition == "inline" or (disposition != "attachment" and bool(part["Content-ID"]))
    stem = "invitation" if ctype == "text/calendar" else "attachment"
    files.append(
        IncomingFile(
            name=_filename(part, len(files) + 1, stem),
            content=content,
            inline=inline,
            content_id=_content_id(part),
        )
    )


# -- the mail -----------------------------------------------------------------------------------


def _raw_headers(msg: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.lower(), no_nul(" ".join(str(value).split())))
    return headers


def _null_sender(msg: Message, raw_headers: dict[str, str]) -> bool:
    """The null reverse path ``<>`` (RFC 5321), in Return-Path or as the From address."""
    return raw_headers.get("return-path", "").strip() == "<>" or _header(msg, "From").endswith("<>")


def mail_parse(raw: bytes) -> ParsedMail:
    """Parse a mail. Raises MailParseError only when it has no usable sender; a null sender
    (``<>``, a delivery report) gives an empty ``from_address`` for the filters.

    Headers that need decoding (From, To, Cc, Reply-To, Subject) go through the modern
    policy's parser; the others are read raw, which is much cheaper.
    """
    msg = BytesParser(policy=MAIL_POLICY).parsebytes(raw)
    headers_8bit_decode(msg)
    raw_headers = _raw_headers(msg)

    from_list = _addresses(msg, "From")
    if not from_list:
        # Some mailers write a bare, unquoted From the modern parser rejects.
        name, addr = parseaddr(_header(msg, "From"))
        from_list = [(name, addr.lower())] if "@" in addr else []
    if not from_list:
        sender = _addresses(msg, "Sender")
        from_list = sender
    if not from_list and _null_sender(msg, raw_headers):
        # "From: MAILER-DAEMON <>" or "Return-Path: <>": a delivery report or another machine's
        # message. Parsed with an empty address so the filters can say so (never answered).
        from_list = [(_header(msg, "From").partition("<")[0].strip(' "'), "")]
    if not from_list:
        raise MailParseError("The mail has no sender address (From header missing or invalid).")
    from_name, from_address = from_list[0]

    date = None
    try:
        date_value = raw_headers.get("date", "")
        date = parsedate_to_datetime(date_value) if date_value else None
        if date is not None and date.tzinfo is None:
            date = None
    except (TypeError, ValueError, IndexError):
        date = None

    body_parts: set[int] = set()
    text = html = ""
    plain_part = html_part = None
    try:
        plain_part = msg.get_body(preferencelist=("plain",))
        html_part = msg.get_body(preferencelist=("html",))
    except Exception:
        plain_part = html_part = None
    if plain_part is not None:
        body_parts.add(id(plain_part))
        text = part_text(plain_part)
    if html_part is not None:
        body_parts.add(id(html_part))
        html = part_text(html_part)
    if not msg.is_multipart() and plain_part is None and html_part is None:
        # A single non-text part (a bare PDF, say) is an attachment, not a body.
        pass

    files: list[IncomingFile] = []
    extra_text: list[str] = []
    _collect_files(msg, body_parts, "", files, extra_text)
    if extra_text:
        text = "\n\n".join(t for t in [text, *extra_text] if t.strip())
    if not text.strip() and html:
        text = html_to_text(html)

    return ParsedMail(
        message=msg,
        message_id=(message_ids(raw_headers.get("message-id", "")) or [""])[0],
        in_reply_to=message_ids(raw_headers.get("in-reply-to", "")),
        references=message_ids(raw_headers.get("references", ""))[-MAX_REFERENCES:],
        subject=no_nul(_header(msg, "Subject"))[:500],
        from_name=no_nul(from_name),
        from_address=from_address,
        to=[a for _, a in _addresses(msg, "To")],
        cc=[a for _, a in _addresses(msg, "Cc")],
        reply_to=(_addresses(msg, "Reply-To") or [("", "")])[0][1],
        date=date,
        text=no_nul(_normalise_newlines(text)).strip(),
        html=html_sanitise(no_nul(html)),
        raw_html=no_nul(html),
        attachments=files,
        raw_headers=raw_headers,
    )


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
