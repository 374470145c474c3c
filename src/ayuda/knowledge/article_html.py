"""An article's body: HTML sanitised with nh3 before it is stored (so the pages render it as
stored), its plain text for a reply, and a plain-text solution turned into paragraphs."""

import html
import re

import nh3
from django.utils.html import escape, linebreaks

# What an article body may hold: text structure, links and code. No images (an image would
# load from anywhere, and the portal has no upload for them), no tables, no styles.
ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "h2",
    "h3",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def body_clean(body: str) -> str:
    """``body`` with only the allowed tags and attributes: scripts, styles, event handlers and
    ``javascript:`` links are removed; links open with ``rel="noopener noreferrer"``."""
    return nh3.clean(
        body or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


_BLOCK_END = re.compile(r"</(p|li|h2|h3|pre|blockquote)>|<br\s*/?>", re.IGNORECASE)


def body_text(body: str) -> str:
    """The article's text without markup, for pasting into a plain-text reply."""
    text = _BLOCK_END.sub("\n", body or "")
    text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_to_body(text: str) -> str:
    """Plain text (a ticket's solution) as article HTML: paragraphs and line breaks."""
    return body_clean(linebreaks(escape(text or "")))
