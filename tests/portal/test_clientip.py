"""The client address the lockout and the rate limits count: X-Forwarded-For is believed only
as far as trusted proxies wrote it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from portal.clientip import client_ip

BALANCER = "10.0.0.5"
PROXIES = ["10.0.0.0/24", "2001:db8:ffff::/48", "192.0.2.200"]


def request_from(remote_addr: str, forwarded_for: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        # Straight from the client: the header is the client's own word and ignored.
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Through the balancer: the address it appended is the client.
        (BALANCER, "198.51.100.1", "198.51.100.1"),
        # A client that sends its own header cannot choose its address: the balancer appends
        # the real one, and everything left of it is ignored.
        (BALANCER, "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Two trusted proxies in a row are both skipped.
        (BALANCER, "1.2.3.4, 198.51.100.1, 192.0.2.200, 10.0.0.7", "198.51.100.1"),
        # Without the header, the balancer itself is the client.
        (BALANCER, None, BALANCER),
        (BALANCER, "", BALANCER),
        # Only trusted proxies in the chain: the leftmost one is the nearest we know.
        (BALANCER, "10.0.0.8, 10.0.0.7", "10.0.0.8"),
        # Garbage where the client should be: stop at the last trusted hop.
        (BALANCER, "unknown, 10.0.0.7", "10.0.0.7"),
        (BALANCER, "not-an-address", BALANCER),
        # Ports some proxies add, IPv6, and IPv4-mapped IPv6 are read as the plain address.
        (BALANCER, "198.51.100.1:4711", "198.51.100.1"),
        (BALANCER, "[2001:db8:0:0::1]:443", "2001:db8::1"),
        (BALANCER, "2001:db8::1", "2001:db8::1"),
        ("2001:db8:ffff::1", "198.51.100.1", "198.51.100.1"),
        ("::ffff:10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("::ffff:203.0.113.9", None, "203.0.113.9"),
    ],
)
def test_it_takes_the_first_address_not_written_by_a_trusted_proxy(
    settings: Any, remote_addr: str, forwarded_for: str | None, expected: str
) -> None:
    settings.TRUSTED_PROXIES = PROXIES
    assert client_ip(request_from(remote_addr, forwarded_for)) == expected


def test_it_ignores_the_header_when_no_proxy_is_trusted(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from(BALANCER, "198.51.100.1")) == BALANCER


def test_it_returns_a_remote_address_that_is_not_an_ip_as_given(settings: Any) -> None:
    # gunicorn on a unix socket gives an empty REMOTE_ADDR.
    settings.TRUSTED_PROXIES = PROXIES
    assert client_ip(request_from("", "198.51.100.1")) == ""


def test_a_bad_trusted_proxy_setting_fails_loudly(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_ip(request_from(BALANCER, "198.51.100.1"))
