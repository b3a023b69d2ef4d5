"""The client's address, as every per-client limit must see it.

Behind a load balancer every request comes from the balancer's address, and the client's own
address is in X-Forwarded-For. That header is written by whoever sends the request, so it is
believed only as far as it was written by proxies we trust (the TRUSTED_PROXIES setting):
read from the right, each address a trusted proxy appended is skipped, and the first address
that is not a trusted proxy is the client. Anything to the left of it was supplied by the
client and is ignored. Without trusted proxies, or when the connection itself does not come
from one, the connecting address (REMOTE_ADDR) is the client.

The lockout of the admin login (django-axes) and the check's rate limits both use this one
function, so a client cannot escape one limit by a header the other ignores.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request``, normalised (``2001:db8::1``, IPv4 for
    IPv4-mapped IPv6). Falls back to REMOTE_ADDR as given when that is not an address."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    remote = parse_address(remote_addr)
    if remote is None:
        return str(remote_addr)
    networks = configured_networks()
    if not is_trusted(remote, networks):
        return str(remote)
    # Several X-Forwarded-For headers arrive joined by commas (WSGI, RFC 9110 §5.3).
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    client = remote
    for hop in reversed([hop for hop in hops if hop]):
        address = parse_address(hop)
        if address is None:
            # Not written by a proxy we trust: the last trusted hop is all we know.
            break
        client = address
        if not is_trusted(address, networks):
            break
    return str(client)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection itself comes from one of TRUSTED_PROXIES."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    return remote is not None and is_trusted(remote, configured_networks())


def parse_address(value: str) -> IPAddress | None:
    """An address from REMOTE_ADDR or one X-Forwarded-For entry. Some proxies append the port
    (``192.0.2.1:4711``, ``[2001:db8::1]:4711``); it is dropped."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def configured_networks() -> tuple[IPNetwork, ...]:
    return trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


@lru_cache(maxsize=8)
def trusted_networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """TRUSTED_PROXIES read once per distinct value: addresses or networks (``10.0.0.0/8``)."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES must list IP addresses or networks, not {value!r}"
            ) from None
    return tuple(networks)
