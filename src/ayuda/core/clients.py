"""Who is asking: the client's address behind trusted proxies, and address allow-lists."""

import ipaddress
from collections.abc import Iterable

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request) -> str:
    """The client's address. Behind ``AYUDA_TRUSTED_PROXIES`` proxies (a load balancer: 1),
    it is the address the outermost of them saw, from the right of X-Forwarded-For: the
    entries further left are whatever the client chose to send."""
    remote = request.META.get("REMOTE_ADDR", "unknown")
    proxies = settings.AYUDA_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def networks_parse(values: Iterable[str]) -> tuple[list[Network], list[str]]:
    """Parse CIDR blocks or single addresses (``10.0.0.0/8``, ``2001:db8::1``); returns the
    networks and the entries that are not one."""
    networks, invalid = [], []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            invalid.append(value)
    return networks, invalid


def client_in(request, *, networks: Iterable[Network]) -> bool:
    """Whether the client's address (see ``client_ip``) is inside one of ``networks``."""
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
