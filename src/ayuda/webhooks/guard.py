"""No server-side request forgery: where a webhook may be sent (R5).

A URL is checked when it is saved (``url_check``) and again before every connection
(``target_resolve``): the name is resolved once, every address it resolves to must be a public
one, and the request then goes to that checked address (``delivery.post``), never to a second
resolution of the name, so a DNS answer that changes between the check and the connection
(rebinding) cannot point it inside. Refused: loopback, private (10/8, 172.16/12, 192.168/16,
100.64/10, fc00::/7, the old site-local fec0::/10), link-local (169.254/16 with the cloud
metadata address, fe80::/10), multicast, unspecified, documentation and other reserved
ranges, also inside IPv4-mapped and NAT64 IPv6 addresses. ``AYUDA_WEBHOOK_ALLOW`` (host
names, addresses or CIDR blocks) lets an administrator name internal receivers that are
allowed all the same.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from ayuda.core.clients import networks_parse
from ayuda.core.errors import ValidationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
URL_MAX_LENGTH = 2000  # Subscription.url's column


class ForbiddenAddressError(ValidationError):
    """The URL would reach an address a webhook may not be sent to."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    scheme: str
    host: str  # the name, for the Host header and TLS (SNI and certificate)
    port: int
    path: str  # path and query
    address: str  # the checked IP address to connect to

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _allow_list() -> tuple[set[str], list]:
    entries = [e.strip() for e in settings.AYUDA_WEBHOOK_ALLOW if e.strip()]
    networks, names = networks_parse(entries)
    return {n.lower().rstrip(".") for n in names}, networks


def address_forbidden(address: Address) -> bool:
    """Whether an address is not a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_forbidden(address.ipv4_mapped)
        if address in NAT64:
            return address_forbidden(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.is_site_local:  # fec0::/10: deprecated, yet routed inside some networks
            return True
    return (
        not address.is_global
        or address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_unspecified
    )


def address_allowed(address: Address, *, host: str) -> bool:
    names, networks = _allow_list()
    if host.lower().rstrip(".") in names:
        return True
    if any(address in network for network in networks):
        return True
    return not address_forbidden(address)


def _split(url: str) -> tuple[SplitResult, str, int]:
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError(
            _("A webhook URL may be %(max)s characters at most.") % {"max": URL_MAX_LENGTH},
            field="url",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), field="url") from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("A webhook URL must start with http:// or https://."), field="url")
    host = parts.hostname or ""
    if not host:
        raise ValidationError(_("Enter a valid URL."), field="url")
    if parts.username or parts.password:
        raise ValidationError(
            _("Put no user name or password in the URL: the signature authenticates Ayuda."),
            field="url",
        )
    return parts, host, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[Address]:
    """The addresses a host name (or literal) stands for, from the system's resolver."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def target_resolve(url: str) -> Target:
    """Check ``url`` and resolve it to the address to connect to, or raise.

    Every address the name resolves to must be allowed (a name that resolves to a public and
    a private address is refused: which one a client picks is not ours to guess).
    """
    parts, host, port = _split(url)
    addresses = resolve(host, port)
    if not addresses:
        raise ValidationError(_("The host name of this URL does not resolve."), field="url")
    for address in addresses:
        if not address_allowed(address, host=host):
            raise ForbiddenAddressError(
                _(
                    "This URL points at an internal address (%(address)s). Webhooks go only "
                    "to public addresses, unless the administrator's allow-list names it."
                )
                % {"address": address},
                field="url",
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, str(addresses[0]))


def url_check(url: str) -> str:
    """Check a URL an administrator saves; return it trimmed. Raises ValidationError."""
    target_resolve(url)
    return url.strip()
