"""Icons: Lucide's SVG files (npm package ``lucide-static``, see package.json), inlined.

Emoji used as icons show as empty boxes where no emoji font is installed (Debian's
Chromium), so the pages draw icons with SVG. Each icon is read from the installed package
once per process and printed inline: nothing third-party is committed or served as a file,
only the icons a page uses reach the browser, and inline ``<svg>`` passes the
Content-Security-Policy (it has no script or style attribute). An icon is decoration
(``aria-hidden``): the text beside it says what it means, or ``label`` gives the text for
screen readers when an icon stands alone.
"""

import functools
import re

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from ayuda.core.html import format_html

ICONS_DIR = settings.BASE_DIR / "node_modules" / "lucide-static" / "icons"
NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SVG_BODY = re.compile(r"<svg\b[^>]*>(?P<body>.*)</svg>", re.S)
SVG_HTML = (
    '<svg class="icon icon-{name}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round" aria-hidden="true" focusable="false">{body}</svg>'
)
LABEL_HTML = '<span class="visually-hidden">{}</span>'


class IconMissingError(LookupError):
    pass


@functools.cache
def _svg(name: str) -> str:
    """The icon's markup, read once per process."""
    if not NAME.fullmatch(name):
        raise IconMissingError(f"not an icon name: {name!r}")
    path = ICONS_DIR / f"{name}.svg"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise IconMissingError(
            f"icon {name!r} not found at {path}: run `make install` (npm ci)"
        ) from error
    match = SVG_BODY.search(text)
    if match is None:
        raise IconMissingError(f"{path} holds no <svg> element")
    body = " ".join(match["body"].split())  # one line: the icon's paths, circles, lines
    return SVG_HTML.format(name=name, body=body)


def icon(name: str, *, label: str = "") -> SafeString:
    """The icon ``name`` as inline SVG, hidden from screen readers; with ``label``, followed by
    that text for them (visually hidden)."""
    svg = mark_safe(_svg(name))  # noqa: S308 (read from the installed icon package)
    return format_html("{}" + LABEL_HTML, svg, label) if label else svg
