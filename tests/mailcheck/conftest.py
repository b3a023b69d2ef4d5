"""Fixtures for the checker's tests: DNS servers on loopback ports (see tests/dnsserver.py)."""

from tests.dnsserver import (
    demo_dns_server,
    demo_zone_dns_server,
    servfail_dns_server,
    silent_dns_server,
)

__all__ = [
    "demo_dns_server",
    "demo_zone_dns_server",
    "servfail_dns_server",
    "silent_dns_server",
]
