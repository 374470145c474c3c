"""Quoted-text and signature trimming for replies (never for a new ticket: forwarded
content there is the point of the mail).

Covers Gmail, Apple Mail, Thunderbird and Outlook (desktop and web) in English, Spanish and
Italian. When trimming would leave nothing, the full text is kept.
"""

import re

from .parsing import html_sanitise, html_to_text

_WROTE = r"(?:wrote|escribió|escribio|ha scritto|scrisse|a écrit|schrieb)"
_ATTRIBUTION = re.compile(
    r"^[ \t]*(?:On|El|Il giorno|Il|Le|Am)\b[^\n]{0,300}(?:\n[^\n]{0,300}){0,2}?"
    + _WROTE
    + r"\s*:[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^[ \t]*-{2,}[ \t]*(?:Original Message|Mensaje original|Messaggio originale)[ \t]*-{2,}",
    re.MULTILINE | re.IGNORECASE,
)
# Outlook's header block: From:/De:/Da: followed by Sent:/Enviado:/Inviato: (any order of To:).
_OUTLOOK = re.compile(
    r"^[ \t]*(?:_{10,}[ \t]*\n[ \t]*)?\*?(?:From|De|Da)\*?:[^\n]*\n"
    r"(?:[ \t]*\*?(?:To|Para|A|Cc)\*?:[^\n]*\n)?"
    r"[ \t]*\*?(?:Sent|Date|Enviado(?: el)?|Fecha|Inviato|Data)\*?:",
    re.MULTILINE | re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
_MOBILE = re.compile(
    r"^[ \t]*(?:Sent from my \w+|Enviado desde mi \w+|Inviato da(?:l mio)? \w+)[^\n]*$",
    re.MULTILINE | re.IGNORECASE,
)

# HTML containers where clients put the quoted mail; everything from the first one is cut.
_HTML_MARKERS = re.compile(
    r"<div[^>]+class=\"?[^\">]*gmail_quote"
    r"|<blockquote[^>]+type=\"?cite"
    r"|<div[^>]+id=\"?(?:divRplyFwdMsg|appendonsend)"
    r"|<hr[^>]+id=\"?stopSpelling"
    r"|<div[^>]+class=\"?[^\">]*moz-cite-prefix"
    r"|<div[^>]+style=\"?[^\">]*border-top:\s*solid\s+#(?:E1E1E1|B5C4DF)",
    re.IGNORECASE,
)


def text_trim(text: str) -> str:
    """The new part of a reply: cut at the first quote header, signature or quoted block."""
    cut = len(text)
    for pattern in (_ATTRIBUTION, _ORIGINAL, _OUTLOOK, _SIGNATURE, _MOBILE):
        match = pattern.search(text)
        if match:
            cut = min(cut, match.start())
    trimmed = text[:cut]
    # A trailing block of "> " lines (bottom quoting without an attribution line).
    lines = trimmed.rstrip().split("\n")
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()
    trimmed = "\n".join(lines).strip()
    return trimmed or text.strip()


def html_trim(raw_html: str) -> str:
    """Sanitised HTML of the new part of a reply, or "" when there is no HTML."""
    if not raw_html.strip():
        return ""
    match = _HTML_MARKERS.search(raw_html)
    candidate = raw_html[: match.start()] if match else raw_html
    cleaned = html_sanitise(candidate)
    if match and not html_to_text(cleaned).strip():
        return html_sanitise(raw_html)
    return cleaned
