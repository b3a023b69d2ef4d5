"""DNS answers shared between processes through Django's cache (Redis in production)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import caches
from pytest_django.fixtures import SettingsWrapper

from mailcheck.dns import DnsCache, LiveResolver, Records
from mailcheck.dnscache import SharedDnsCache, cache_key, decode, encode
from tests.dnsserver import DEMO_ZONE, FakeDnsServer, ZoneHandler

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("MAILCHECK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def shared_backend(settings: SettingsWrapper) -> Iterator[str]:
    """A cache alias standing in for Redis: one store that several SharedDnsCache share."""
    settings.CACHES = {
        **settings.CACHES,
        "dns-test": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"dns-test-{uuid.uuid4()}",
        },
    }
    yield "dns-test"
    caches["dns-test"].clear()


def process(alias: str, clock: FakeClock) -> SharedDnsCache:
    """What one worker process holds: its own local layer in front of the shared store."""
    return SharedDnsCache(alias, local=DnsCache(clock=clock, max_ttl=30.0), clock=clock)


@pytest.mark.parametrize(
    "records",
    [
        (("TXT", (b"v=spf1 ", b"ip4:192.0.2.1 -all")),),
        (("TXT", (b"\xff\x00 not utf-8", b"")),),
        (("SPF", (b"v=spf1 -all",)),),
        (("MX", (10, "mx.example.jp")), ("MX", (20, "mx2.example.jp"))),
        (("A", "192.0.2.1"), ("A", "192.0.2.2")),
        (("AAAA", "2001:db8::1"),),
        (("PTR", "mail.example.jp"),),
        (),
    ],
)
def test_answers_of_every_type_round_trip_through_the_stored_text(records: Records) -> None:
    text = encode(123.5, records)
    json.loads(text)  # plain JSON, no pickled objects
    assert decode(text) == (123.5, records)


@pytest.mark.parametrize(
    "text", ["", "[]", '{"expires": 1}', '{"expires": 1, "records": [["TXT", ["%%"]]]}']
)
def test_a_malformed_entry_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        decode(text)


def test_keys_never_hold_the_name_asked_for() -> None:
    key = cache_key(("someone@example.jp.exists.example.test.", "A"))
    assert "someone" not in key
    assert "@" not in key
    assert key.startswith("mailcheck:dns:1:A:")
    assert len(key) < 100


def test_a_second_process_is_answered_from_the_first_ones_answer(
    shared_backend: str, clock: FakeClock, demo_zone_dns_server: FakeDnsServer
) -> None:
    first = LiveResolver([demo_zone_dns_server.address], cache=process(shared_backend, clock))
    second = LiveResolver([demo_zone_dns_server.address], cache=process(shared_backend, clock))
    expected = [(("example.jp", "TXT"), (b"v=spf1 ip4:203.0.113.0/24 ~all",))]
    assert first.session()("example.jp", "TXT") == expected
    assert second.session()("example.jp", "TXT") == expected
    assert demo_zone_dns_server.query_count == 1


def test_the_ttl_holds_across_processes(
    shared_backend: str, clock: FakeClock, demo_zone_dns_server: FakeDnsServer
) -> None:
    first = LiveResolver([demo_zone_dns_server.address], cache=process(shared_backend, clock))
    first.session()("example.jp", "TXT")  # TTL 3600 s in the demo zone
    clock.now += 3599
    LiveResolver([demo_zone_dns_server.address], cache=process(shared_backend, clock)).session()(
        "example.jp", "TXT"
    )
    assert demo_zone_dns_server.query_count == 1
    clock.now += 2
    LiveResolver([demo_zone_dns_server.address], cache=process(shared_backend, clock)).session()(
        "example.jp", "TXT"
    )
    assert demo_zone_dns_server.query_count == 2


def test_a_process_keeps_an_answer_it_read_no_longer_than_its_remaining_ttl(
    shared_backend: str, clock: FakeClock
) -> None:
    writer, reader = process(shared_backend, clock), process(shared_backend, clock)
    writer.put(("example.jp.", "A"), [("A", "192.0.2.1")], 10)
    clock.now += 8
    assert reader.get(("example.jp.", "A")) == (("A", "192.0.2.1"),)
    clock.now += 2.5  # past the TTL: the reader's own copy must be gone too
    assert reader.get(("example.jp.", "A")) is None


def test_negative_answers_are_shared_for_the_soa_minimum(
    shared_backend: str, clock: FakeClock, demo_zone_dns_server: FakeDnsServer
) -> None:
    def ask() -> None:
        resolver = LiveResolver(
            [demo_zone_dns_server.address], cache=process(shared_backend, clock)
        )
        assert resolver.session()("missing.example.jp", "A") == []
        assert resolver.session()("nospf.example.jp", "TXT") == []

    ask()
    assert demo_zone_dns_server.query_count == 2
    clock.now += 29  # ZoneHandler's SOA minimum is 30 s (RFC 2308 §5).
    ask()
    assert demo_zone_dns_server.query_count == 2
    clock.now += 2
    ask()
    assert demo_zone_dns_server.query_count == 4


def test_when_the_shared_cache_is_down_checks_still_get_answers_and_a_warning_is_logged(
    settings: SettingsWrapper,
    clock: FakeClock,
    demo_zone_dns_server: FakeDnsServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.CACHES = {
        **settings.CACHES,
        # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    cache = SharedDnsCache("down", local=DnsCache(clock=clock), clock=clock)
    resolver = LiveResolver([demo_zone_dns_server.address], cache=cache)
    with caplog.at_level(logging.WARNING, logger="mailcheck.dnscache"):
        assert resolver.session()("example.jp", "TXT") != []
        assert resolver.session()("miomio.jp", "TXT") != []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    # One warning, then the shared cache is left alone for a while instead of failing each time.
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
    # The process's own layer still answers repeated questions.
    resolver.session()("example.jp", "TXT")
    assert demo_zone_dns_server.query_count == 2


# --- Two real processes sharing Redis ---------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        reason = f"no Redis at {REDIS_URL}"
        if os.environ.get("MAILCHECK_REQUIRE_SYSTEM_DEPS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def counting_dns_server() -> Iterator[FakeDnsServer]:
    server = FakeDnsServer(ZoneHandler(DEMO_ZONE.read_text(encoding="utf-8"))).start()
    try:
        yield server
    finally:
        server.stop()


def test_two_processes_sharing_redis_ask_the_name_server_once(
    redis_url: str, counting_dns_server: FakeDnsServer, tmp_path: Path
) -> None:
    prefix = f"test-{uuid.uuid4()}"
    env: dict[str, Any] = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "MAILCHECK_DNS": f"live:{counting_dns_server.address}",
        "PYTHONIOENCODING": "utf-8",
    }

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    for args in (["migrate", "--noinput"], ["importservice", "mailcheck/demo/service.json"]):
        assert manage(*args).returncode == 0
    check = ("mailcheck", "--account", "iij-taro.iijmio-mail.jp", "--json")
    try:
        first = manage(*check, "--mail-from", "iij-jiro@iijmio-mail.jp")
        assert first.returncode == 0, first.stderr
        asked = counting_dns_server.query_count
        assert asked > 0
        second = manage(*check, "--mail-from", "iij-jiro@iijmio-mail.jp")
        assert second.returncode == 0, second.stderr
        assert counting_dns_server.query_count == asked
        again = json.loads(second.stdout)
        # The second process's trace says every answer came from the shared cache.
        assert all(
            query["cached"]
            for o in ("before", "after")
            for d in again[o]["details"]
            for query in d["queries"]
        )
        assert without_timings(again) == without_timings(json.loads(first.stdout))
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def without_timings(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between two runs of one check: each DNS query's time
    and whether the cache answered it."""
    for period in ("before", "after"):
        for detail in report[period]["details"]:
            for query in detail["queries"]:
                query.pop("ms")
                query.pop("cached")
    return report
