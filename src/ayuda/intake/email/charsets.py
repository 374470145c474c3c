"""Reading text whatever its charset claims: bodies with a wrong, missing or mixed charset
(``text_decode``) and headers with raw 8-bit bytes (``header_8bit_decode``). Pure functions,
no database."""

import re
from email.message import Message

FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")

# Charsets that say nothing about the bytes: decoded by the fallback, line by line.
_UNDECLARED = {"", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "unknown", "8bit", "default"}
# Labels that mailers put on UTF-8 text by mistake (web forms, old scripts): valid UTF-8 with
# multi-byte sequences is all but impossible in real Latin-1 text, so it is read as UTF-8.
_OFTEN_MISLABELLED = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "iso-8859-15"}


def text_decode(payload: bytes, charset: str | None) -> str:
    """Bytes of a text part as text, whatever charset it claims.

    A declared charset that decodes the whole part wins. A part with no usable charset, or one
    whose bytes do not match it, is read line by line: UTF-8, then Windows-1252, then Latin-1
    (which never fails), so a part that mixes UTF-8 and Windows-1252 lines reads right.
    """
    charset = (charset or "").strip().lower()
    if charset not in _UNDECLARED:
        try:
            text = payload.decode(charset)
        except LookupError:
            charset = ""  # a charset Python does not know: read as undeclared
        except UnicodeDecodeError:
            pass  # mislabelled: the lines below try the label first, then the fallbacks
        else:
            if charset in _OFTEN_MISLABELLED and not payload.isascii():
                try:
                    return payload.decode("utf-8")
                except UnicodeDecodeError:
                    pass
            return text
    if payload.isascii():
        return payload.decode("ascii")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charsets = [c for c in (charset, *FALLBACK_CHARSETS) if c and c not in _UNDECLARED]
    return "".join(_line_decode(line, charsets) for line in payload.splitlines(keepends=True))


def _line_decode(line: bytes, charsets: list[str]) -> str:
    for charset in charsets:
        try:
            return line.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return line.decode("latin-1")


_SURROGATES = re.compile("[\udc80-\udcff]")


def header_8bit_decode(value: str) -> str:
    """A header value with raw 8-bit bytes, which the parser keeps as lone surrogates (they
    cannot be stored or encoded): read as UTF-8 (RFC 6532), else Windows-1252, else Latin-1."""
    if not _SURROGATES.search(value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    for charset in FALLBACK_CHARSETS:
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # unreachable: Latin-1 decodes every byte


def headers_8bit_decode(msg: Message) -> None:
    """Decode raw 8-bit header values of every part in place (see ``header_8bit_decode``),
    keeping the headers' order. Mail without such headers is left untouched."""
    for part in msg.walk():
        items = list(part.raw_items())
        if not any(_SURROGATES.search(str(value)) for _name, value in items):
            continue
        for name in {name for name, _value in items}:
            del part[name]
        for name, value in items:
            part.set_raw(name, header_8bit_decode(str(value)))


def no_nul(text: str) -> str:
    """NUL characters (a hostile mail's encoded words or body) cannot be stored in PostgreSQL."""
    return text.replace("\x00", "") if "\x00" in text else text
