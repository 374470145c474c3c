"""Browser and operating system from a User-Agent header, simply (R1).

Only what a support agent needs to read on the ticket ("Firefox 128", "Windows 10/11"). No
library in the environment does this, and the rules below cover the browsers people use;
anything unknown is recorded as empty rather than guessed.
"""

import re
from dataclasses import dataclass

MAX_HEADER = 512

# Order matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/([\d.]+)")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/([\d.]+)")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/([\d.]+)")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/([\d.]+)")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS|HeadlessChrome)/([\d.]+)")),
    ("Safari", re.compile(r"\bVersion/([\d.]+).*\bSafari/")),
    ("Internet Explorer", re.compile(r"\bMSIE ([\d.]+)|\bTrident/.*\brv:([\d.]+)")),
)

WINDOWS_NT = {
    "10.0": "10/11",
    "6.3": "8.1",
    "6.2": "8",
    "6.1": "7",
    "6.0": "Vista",
    "5.1": "XP",
}


@dataclass(frozen=True)
class ClientInfo:
    browser: str = ""
    operating_system: str = ""


def _short_version(version: str) -> str:
    """Major and minor at most, without a trailing ".0": 126.0.6478.126 -> 126, 17.4.1 -> 17.4."""
    parts = version.split(".")[:2]
    if len(parts) == 2 and parts[1] in ("", "0"):
        parts = parts[:1]
    return ".".join(p for p in parts if p)


def _browser(ua: str) -> str:
    for name, pattern in BROWSERS:
        match = pattern.search(ua)
        if match:
            version = next((g for g in match.groups() if g), "")
            return f"{name} {_short_version(version)}".strip()
    return ""


def _operating_system(ua: str) -> str:
    if match := re.search(r"Windows NT ([\d.]+)", ua):
        release = WINDOWS_NT.get(match.group(1))
        return f"Windows {release}" if release else "Windows"
    if match := re.search(r"(?:iPhone|CPU) OS ([\d_]+)", ua):
        return f"iOS {_short_version(match.group(1).replace('_', '.'))}"
    if match := re.search(r"Android ([\d.]+)", ua):
        return f"Android {_short_version(match.group(1))}"
    if "Android" in ua:
        return "Android"
    if match := re.search(r"Mac OS X ([\d_.]+)", ua):
        return f"macOS {match.group(1).replace('_', '.')}"
    if "CrOS" in ua:
        return "ChromeOS"
    if "Ubuntu" in ua:
        return "Ubuntu Linux"
    if "Linux" in ua or "X11" in ua:
        return "Linux"
    return ""


def client_info(user_agent: str | None) -> ClientInfo:
    """Browser name and version and the operating system, or empty strings when unknown."""
    ua = (user_agent or "")[:MAX_HEADER]
    if not ua.strip():
        return ClientInfo()
    return ClientInfo(browser=_browser(ua), operating_system=_operating_system(ua))
