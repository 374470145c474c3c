"""Browser and operating system from a User-Agent header (R1), for a support agent to read on
the ticket ("Firefox 128", "Windows 10/11").

Parsing is ua-parser's, with the regular expressions of uap-core that its maintainers keep up
to date (and its Rust matcher, ua-parser-rs, when installed); here only the names are made
readable. Anything unknown is recorded as empty rather than guessed.
"""

from dataclasses import dataclass

from ua_parser import parse

MAX_HEADER = 512

BROWSER_NAMES = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "IE": "Internet Explorer",
    "HeadlessChrome": "Chrome",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
}
OS_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS", "Ubuntu": "Ubuntu Linux"}
# uap-core names Windows by release (10 also for 11, which sends the same header).
WINDOWS_RELEASES = {"10": "10/11"}
# Operating systems whose version in the header is not the product's (ChromeOS sends a build).
OS_WITHOUT_VERSION = {"ChromeOS", "Ubuntu Linux", "Linux"}


@dataclass(frozen=True)
class ClientInfo:
    browser: str = ""
    operating_system: str = ""


def _version(*parts: str | None) -> str:
    """Major and minor at most, without a trailing ".0": 126.0 -> 126, 17.4 -> 17.4."""
    parts = [p for p in parts[:2] if p]
    if len(parts) == 2 and parts[1] == "0":
        parts = parts[:1]
    return ".".join(parts)


def client_info(user_agent: str | None) -> ClientInfo:
    """Browser name and version and the operating system, or empty strings when unknown."""
    ua = (user_agent or "")[:MAX_HEADER]
    if not ua.strip():
        return ClientInfo()
    result = parse(ua)
    browser = operating_system = ""
    if result.user_agent is not None and result.user_agent.family != "Other":
        agent = result.user_agent
        name = BROWSER_NAMES.get(agent.family, agent.family)
        browser = f"{name} {_version(agent.major, agent.minor)}".strip()
    if result.os is not None and result.os.family != "Other":
        system = result.os
        name = OS_NAMES.get(system.family, system.family)
        if name == "Windows":
            release = WINDOWS_RELEASES.get(system.major or "", _version(system.major, system.minor))
            operating_system = f"Windows {release}".strip()
        elif name == "macOS":
            operating_system = (
                f"macOS {'.'.join(p for p in (system.major, system.minor, system.patch) if p)}"
            )
        elif name in OS_WITHOUT_VERSION:
            operating_system = name
        else:
            operating_system = f"{name} {_version(system.major, system.minor)}".strip()
    return ClientInfo(browser=browser, operating_system=operating_system)
