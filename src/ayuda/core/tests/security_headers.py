"""What every response must carry (docs/security.md), as one check the tests share: the page
walk (``web/tests/test_security_headers.py``) and the suite-wide hook in the root conftest.py,
which puts every response any test gets from Django's test client through
``response_problems``.

``response_problems(response)`` lists what is wrong, an empty list when nothing is:

* every response: a Content-Security-Policy with the directives of ``REQUIRED_CSP`` (and no
  ``'unsafe-inline'`` or ``'unsafe-eval'`` anywhere), or a served file's stricter own policy
  (``default-src 'none'; sandbox``), and a Permissions-Policy that turns off the features of
  ``DENIED_FEATURES``;
* an HTML page also must not need what the policy refuses: an inline ``<script>`` or
  ``<style>`` without the response's nonce, an event-handler attribute (``onchange=``…), a
  ``style=""`` attribute, a ``javascript:`` URL, or a script or style sheet from elsewhere.
"""

import re
from html.parser import HTMLParser

REQUIRED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
#: Directives that may also name the response's nonce (``'nonce-…'``) and nothing else.
NONCE_ALLOWED = {"script-src", "style-src"}
FORBIDDEN_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")
#: Script types a browser does not run (data blocks), so the policy does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        if words := part.split():
            directives[words[0].lower()] = words[1:]
    return directives


def _download_lockdown(directives: dict[str, list[str]]) -> bool:
    """A served file's own policy (attachments): nothing may load, scripts never run."""
    return directives.get("default-src") == ["'none'"] and "sandbox" in directives


def header_problems(response) -> list[str]:
    problems = []
    header = response.headers.get("Content-Security-Policy")
    if not header:
        problems.append("no Content-Security-Policy header")
    elif not _download_lockdown(csp_directives(header)):
        directives = csp_directives(header)
        for name, required in REQUIRED_CSP.items():
            values = directives.get(name)
            if values is None:
                problems.append(f"CSP lacks {name}")
                continue
            extra = set(values) - required
            if name in NONCE_ALLOWED:
                extra = {v for v in extra if not re.fullmatch(r"'nonce-[\w+/=-]+'", v)}
            if extra or not required <= set(values):
                problems.append(f"CSP {name} is {' '.join(values)!r}, expected {required}")
        for name, values in directives.items():
            if bad := FORBIDDEN_SOURCES & set(values):
                problems.append(f"CSP {name} allows {sorted(bad)}")
    permissions = response.headers.get("Permissions-Policy", "")
    if not permissions:
        problems.append("no Permissions-Policy header")
    else:
        features = dict(
            item.strip().split("=", 1) for item in permissions.split(",") if "=" in item
        )
        for feature in DENIED_FEATURES:
            if features.get(feature) != "()":
                problems.append(f"Permissions-Policy does not deny {feature}")
    return problems


class _PageScan(HTMLParser):
    """Collects what a page needs that the policy refuses."""

    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []
        self._open_inline: str | None = None  # "script"/"style" whose text we are in

    def _foreign(self, url: str) -> bool:
        return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url.strip(), re.IGNORECASE))

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has an inline event handler {name}={value!r}")
            if name == "style":
                self.problems.append(f"<{tag}> has a style attribute {value!r}")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag}> has a javascript: URL in {name}")
        nonce_ok = self.nonce is not None and values.get("nonce") == self.nonce
        if tag == "script":
            src = values.get("src")
            if src is not None:
                if self._foreign(src):
                    self.problems.append(f"script from elsewhere: {src}")
            elif (values.get("type") or "").lower() not in DATA_SCRIPT_TYPES and not nonce_ok:
                self.problems.append("an inline <script> without the response's nonce")
        elif tag == "style" and not nonce_ok:
            self.problems.append("an inline <style> without the response's nonce")
        elif (
            tag == "link"
            and "stylesheet" in (values.get("rel") or "").lower().split()
            and self._foreign(values.get("href") or "")
        ):
            self.problems.append(f"style sheet from elsewhere: {values.get('href')}")


def page_problems(response) -> list[str]:
    """What in an HTML response's markup the policy would refuse."""
    header = response.headers.get("Content-Security-Policy", "")
    nonces = {
        m.group(1) for m in re.finditer(r"'nonce-([^']+)'", header)
    }  # Django puts the same nonce in script-src and style-src
    scan = _PageScan(next(iter(nonces)) if len(nonces) == 1 else None)
    scan.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
    scan.close()
    return scan.problems


def is_html(response) -> bool:
    return response.headers.get("Content-Type", "").lower().startswith("text/html")


def response_problems(response) -> list[str]:
    problems = header_problems(response)
    if is_html(response) and not getattr(response, "streaming", False):
        problems += page_problems(response)
    return problems
