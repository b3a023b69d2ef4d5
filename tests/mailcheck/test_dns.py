"""The DNS seam: zone data, and live DNS over the real protocol against loopback servers."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import spf as pyspf

from mailcheck.check import Report, run_check
from mailcheck.dns import (
    DnsCache,
    LiveResolver,
    ZoneResolver,
    loggable_name,
    parse_nameserver,
    resolver_from_setting,
)
from mailcheck.policy import service_from_document
from mailcheck.spf import check_address
from tests.dnsserver import DEMO_ZONE, FakeDnsServer, NsdServer, require_binary, silent

SERVICE_JSON = DEMO_ZONE.parent / "service.json"
LISTED = ("192.0.2.25", "2001:db8:25::25")
UNLISTED = ("198.51.100.25", "2001:db8:ff::25")

# Per-check budget used by the timing tests, and the slack allowed on top of it. The bound is
# the budget contract (the check gives up in time), not speed; the slack is generous because
# the test machines are shared.
BUDGET = 1.5
SLACK = 1.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def second_silent_dns_server() -> Iterator[FakeDnsServer]:
    server = FakeDnsServer(silent).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo_zone() -> ZoneResolver:
    return ZoneResolver.from_file(DEMO_ZONE)


# --- Zone data ---------------------------------------------------------------------------------


def test_zone_resolver_answers_in_pyspf_shapes() -> None:
    zone = ZoneResolver.from_text(
        """\
$TTL 60
example.test.        TXT   "v=spf1 " "ip4:192.0.2.1 -all"
example.test.        MX    10 Mail.Example.test.
mail.example.test.   A     192.0.2.1
mail.example.test.   AAAA  2001:db8::1
1.2.0.192.in-addr.arpa. PTR mail.example.test.
$ORIGIN other.test.
www                  CNAME mail.example.test.
"""
    )
    lookup = zone.session()
    assert lookup("example.test", "TXT") == [
        (("example.test", "TXT"), (b"v=spf1 ", b"ip4:192.0.2.1 -all"))
    ]
    assert lookup("EXAMPLE.test.", "MX") == [(("EXAMPLE.test.", "MX"), (10, "Mail.Example.test"))]
    assert lookup("mail.example.test", "A") == [(("mail.example.test", "A"), "192.0.2.1")]
    assert lookup("mail.example.test", "AAAA") == [(("mail.example.test", "AAAA"), "2001:db8::1")]
    assert lookup("1.2.0.192.in-addr.arpa", "PTR") == [
        (("1.2.0.192.in-addr.arpa", "PTR"), "mail.example.test")
    ]
    assert lookup("www.other.test", "A") == [(("www.other.test", "CNAME"), "mail.example.test")]


def test_zone_resolver_gives_nothing_for_missing_names_and_types() -> None:
    zone = ZoneResolver.from_text("example.test. A 192.0.2.1\n")
    assert zone.lookup("example.test", "TXT") == []
    assert zone.lookup("nowhere.test", "A") == []


def test_suite_timeout_entries_raise_temperror_unless_an_answer_comes_first() -> None:
    zone = ZoneResolver.from_suite_zonedata(
        {
            "slow.test": ["TIMEOUT"],
            "half.test": [{"TXT": "v=spf1 -all"}, "TIMEOUT"],
            "spfonly.test": [{"SPF": "v=spf1 +all"}],
            "both.test": [{"SPF": "v=spf1 +all"}, {"TXT": "NONE"}],
        }
    )
    with pytest.raises(pyspf.TempError):
        zone.lookup("slow.test", "TXT")
    assert zone.lookup("half.test", "TXT") == [(("half.test", "TXT"), (b"v=spf1 -all",))]
    with pytest.raises(pyspf.TempError):
        zone.lookup("half.test", "A")
    # The suite copies SPF-type records to TXT unless the name has TXT entries of its own.
    assert zone.lookup("spfonly.test", "TXT") == [(("spfonly.test", "TXT"), (b"v=spf1 +all",))]
    assert zone.lookup("both.test", "TXT") == []


# --- Settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("192.0.2.53:5353", ("192.0.2.53", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[2001:db8::53]", ("2001:db8::53", 53)),
    ],
)
def test_it_parses_name_server_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize(
    "text", ["ns.example", "192.0.2.53:99999", "192.0.2.53:x", "[::1", "", "  ", "[::1]x"]
)
def test_it_refuses_name_servers_it_cannot_use(text: str) -> None:
    with pytest.raises(ValueError, match="bad name server"):
        parse_nameserver(text)


@pytest.mark.parametrize(
    ("text", "address", "port"),
    [
        ("::1:53", "::1", "53"),
        ("2001:db8::1:5353", "2001:db8::1", "5353"),
        ("::ffff:192.0.2.1:53", "::ffff:192.0.2.1", "53"),
    ],
)
def test_an_unbracketed_ipv6_address_that_may_end_in_a_port_is_refused_with_both_spellings(
    text: str, address: str, port: str
) -> None:
    with pytest.raises(ValueError, match="ambiguous") as excinfo:
        parse_nameserver(text)
    assert f"[{address}]:{port}" in str(excinfo.value)
    assert f"[{text}]" in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2001:db8::53", ("2001:db8::53", 53)),  # "2001:db8:" is no address: no ambiguity
        ("fe80::1", ("fe80::1", 53)),
        ("[::1:53]", ("::1:53", 53)),
        ("[::1]:53", ("::1", 53)),
    ],
)
def test_an_unambiguous_or_bracketed_ipv6_address_is_accepted(
    text: str, expected: tuple[str, int]
) -> None:
    assert parse_nameserver(text) == expected


def test_resolver_from_setting_reads_a_zone_relative_to_base_dir() -> None:
    base = DEMO_ZONE.parent.parent
    resolver = resolver_from_setting("zone:demo/demo.zone", base)
    assert resolver.source == "zone"
    assert resolver.session()("example.jp", "TXT") == [
        (("example.jp", "TXT"), (b"v=spf1 ip4:203.0.113.0/24 ~all",))
    ]


def test_resolver_from_setting_builds_a_live_resolver() -> None:
    resolver = resolver_from_setting("live:192.0.2.53, [2001:db8::53]:5353", Path("/"))
    assert resolver.source == "live"
    assert isinstance(resolver, LiveResolver)
    assert resolver.nameservers == (("192.0.2.53", 53), ("2001:db8::53", 5353))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "zone:",
        "live:",
        "live:,",
        "dns:1.2.3.4",
        "live:ns.example",
        "live:::1:53",
        "zone:/no/such/file",
    ],
)
def test_resolver_from_setting_refuses_unclear_values(value: str) -> None:
    with pytest.raises(ValueError, match="DNS setting"):
        resolver_from_setting(value, Path("/"))


# --- Live DNS against a real authoritative server (NSD) ----------------------------------------


def test_live_answers_come_from_the_server(demo_dns_server: str) -> None:
    lookup = LiveResolver([demo_dns_server]).session()
    assert lookup("iijmio-mail.jp", "TXT") == [
        (("iijmio-mail.jp", "TXT"), (b"v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all",))
    ]
    assert lookup("iijmio-mail.jp", "MX") == [(("iijmio-mail.jp", "MX"), (10, "mx.iijmio-mail.jp"))]
    assert lookup("mo-listed.iijmio-mail.jp", "A") == [
        (("mo-listed.iijmio-mail.jp", "A"), "192.0.2.25")
    ]
    assert lookup("mo-listed.iijmio-mail.jp", "AAAA") == [
        (("mo-listed.iijmio-mail.jp", "AAAA"), "2001:db8:25::25")
    ]
    assert lookup("25.2.0.192.in-addr.arpa", "PTR") == [
        (("25.2.0.192.in-addr.arpa", "PTR"), "mo-listed.iijmio-mail.jp")
    ]


def test_live_nxdomain_and_nodata_give_nothing(demo_dns_server: str) -> None:
    lookup = LiveResolver([demo_dns_server]).session()
    assert lookup("no-such-name.example.jp", "TXT") == []
    assert lookup("nospf.example.jp", "TXT") == []


DEMO_CASES = [
    ("iij-taro@iijmio-mail.jp", LISTED[0], "mo-listed.iijmio-mail.jp"),
    ("iij-taro@iijmio-mail.jp", LISTED[1], "mo-listed.iijmio-mail.jp"),
    ("iij-taro@iijmio-mail.jp", UNLISTED[0], "mo-unlisted.iijmio-mail.jp"),
    ("iij-taro@iijmio-mail.jp", UNLISTED[1], "mo-unlisted.iijmio-mail.jp"),
    ("iij-taro@e23.jp", UNLISTED[0], "mo-unlisted.iijmio-mail.jp"),
    ("example@example.jp", LISTED[0], "mo-listed.iijmio-mail.jp"),
    ("example@example.jp", UNLISTED[1], "mo-unlisted.iijmio-mail.jp"),
    ("user@example.com", LISTED[0], "mo-listed.iijmio-mail.jp"),
    ("user@nospf.example.jp", UNLISTED[0], "mo-unlisted.iijmio-mail.jp"),
    ("user@v4only.example.jp", LISTED[0], "mo-listed.iijmio-mail.jp"),
    ("user@v4only.example.jp", LISTED[1], "mo-listed.iijmio-mail.jp"),
    ("", UNLISTED[0], "mo-unlisted.iijmio-mail.jp"),
    ("user@no-such-domain.example.jp", LISTED[0], "mo-listed.iijmio-mail.jp"),
]


@pytest.mark.parametrize(("mail_from", "ip", "helo"), DEMO_CASES)
def test_live_dns_gives_the_same_verdicts_as_the_zone(
    demo_dns_server: str, demo_zone: ZoneResolver, mail_from: str, ip: str, helo: str
) -> None:
    live = check_address(ip, mail_from, helo, LiveResolver([demo_dns_server]).session())
    zone = check_address(ip, mail_from, helo, demo_zone.session())
    assert live == zone


def test_answers_too_long_for_udp_arrive_over_tcp(tmp_path: Path) -> None:
    # 40 strings of 60 octets: about 2.5 kB, beyond the 1232-octet EDNS payload.
    strings = [f"ip4:192.0.2.{n} " + "x" * (59 - len(f"ip4:192.0.2.{n} ")) for n in range(40)]
    zone = "long.test. 300 TXT " + " ".join(f'"{s}"' for s in strings) + "\n"
    server = NsdServer(require_binary("nsd", "nsd"), zone, tmp_path)
    server.start()
    try:
        answer = LiveResolver([server.address]).session()("long.test", "TXT")
    finally:
        server.stop()
    assert answer == [(("long.test", "TXT"), tuple(s.encode() for s in strings))]


def test_a_missing_server_binary_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MAILCHECK_REQUIRE_SYSTEM_DEPS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="run scripts/setup"):
        require_binary("no-such-dns-server", "no-such-package")
    monkeypatch.setenv("MAILCHECK_REQUIRE_SYSTEM_DEPS", "1")
    with pytest.raises(pytest.fail.Exception, match="no-such-dns-server not installed"):
        require_binary("no-such-dns-server", "no-such-package")


# --- Live DNS against Python servers -----------------------------------------------------------


def test_answers_are_cached_for_their_ttl(demo_zone_dns_server: FakeDnsServer) -> None:
    clock = FakeClock()
    resolver = LiveResolver([demo_zone_dns_server.address], cache=DnsCache(clock=clock))
    expected = [(("example.jp", "TXT"), (b"v=spf1 ip4:203.0.113.0/24 ~all",))]

    assert resolver.session()("example.jp", "TXT") == expected
    assert demo_zone_dns_server.query_count == 1
    # A later check, within the TTL (3600 s in the demo zone), is answered from the cache.
    clock.now += 3599
    assert resolver.session()("Example.JP.", "TXT") == [
        (("Example.JP.", "TXT"), (b"v=spf1 ip4:203.0.113.0/24 ~all",))
    ]
    assert demo_zone_dns_server.query_count == 1
    clock.now += 2
    assert resolver.session()("example.jp", "TXT") == expected
    assert demo_zone_dns_server.query_count == 2


def test_negative_answers_are_cached_for_the_soa_minimum(
    demo_zone_dns_server: FakeDnsServer,
) -> None:
    clock = FakeClock()
    resolver = LiveResolver([demo_zone_dns_server.address], cache=DnsCache(clock=clock))

    assert resolver.session()("missing.example.jp", "A") == []
    assert resolver.session()("nospf.example.jp", "TXT") == []
    assert demo_zone_dns_server.query_count == 2
    clock.now += 29  # ZoneHandler's SOA minimum is 30 s.
    assert resolver.session()("missing.example.jp", "A") == []
    assert resolver.session()("nospf.example.jp", "TXT") == []
    assert demo_zone_dns_server.query_count == 2
    clock.now += 2
    assert resolver.session()("missing.example.jp", "A") == []
    assert demo_zone_dns_server.query_count == 3


def test_one_cache_serves_many_resolvers_and_threads(demo_zone_dns_server: FakeDnsServer) -> None:
    cache = DnsCache()
    first = LiveResolver([demo_zone_dns_server.address], cache=cache)
    second = LiveResolver([demo_zone_dns_server.address], cache=cache)
    first.session()("miomio.jp", "TXT")
    second.session()("miomio.jp", "TXT")
    assert demo_zone_dns_server.query_count == 1


def test_no_search_list_is_applied(demo_zone_dns_server: FakeDnsServer) -> None:
    lookup = LiveResolver([demo_zone_dns_server.address]).session()
    assert lookup("example", "TXT") == []
    assert demo_zone_dns_server.queries == [("example.", "TXT")]


def test_a_silent_server_costs_one_query_the_per_query_timeout_not_the_budget(
    silent_dns_server: FakeDnsServer,
) -> None:
    # The budget leaves room for much more: only the per-query timeout may stop this query.
    lookup = LiveResolver([silent_dns_server.address], timeout=0.4).session(budget=10.0)
    started = time.monotonic()
    with pytest.raises(pyspf.TempError, match="timeout"):
        lookup("host.example.jp", "A")
    elapsed = time.monotonic() - started
    assert 0.35 < elapsed < 0.4 + SLACK
    assert silent_dns_server.query_count == 1


def test_a_silent_server_costs_at_most_the_check_budget(
    silent_dns_server: FakeDnsServer,
) -> None:
    lookup = LiveResolver([silent_dns_server.address], timeout=0.5).session(budget=BUDGET)
    started = time.monotonic()
    errors = []
    # A record with many terms: every lookup after the budget is spent fails at once.
    for number in range(6):
        with pytest.raises(pyspf.TempError) as excinfo:
            lookup(f"host{number}.example.jp", "A")
        errors.append(str(excinfo.value))
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET + SLACK
    # 0.5 + 0.5 + 0.5 s: the third query gets only what is left of the budget.
    assert silent_dns_server.query_count == 3
    assert "budget" in errors[-1]


def test_two_silent_servers_share_one_query_timeout(
    silent_dns_server: FakeDnsServer, second_silent_dns_server: FakeDnsServer
) -> None:
    resolver = LiveResolver(
        [silent_dns_server.address, second_silent_dns_server.address], timeout=0.6
    )
    started = time.monotonic()
    with pytest.raises(pyspf.TempError, match="timeout"):
        resolver.session(budget=10.0)("host.example.jp", "TXT")
    assert time.monotonic() - started < 0.6 + SLACK
    # Each server was asked, the first did not use up the time of the second.
    assert silent_dns_server.queries == [("host.example.jp.", "TXT")]
    assert second_silent_dns_server.queries == [("host.example.jp.", "TXT")]


@pytest.mark.parametrize(("timeout", "budget"), [(0.5, 6.0), (0.5, 1.2), (2.0, 1.0)])
def test_a_whole_check_against_a_silent_server_stays_within_its_budget(
    silent_dns_server: FakeDnsServer, timeout: float, budget: float
) -> None:
    service = service_from_document(json.loads(SERVICE_JSON.read_text(encoding="utf-8")))
    resolver = LiveResolver([silent_dns_server.address], timeout=timeout)
    started = time.monotonic()
    report = run_check(
        "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", service, resolver, budget=budget
    )
    elapsed = time.monotonic() - started
    assert isinstance(report, Report)
    assert report.before.result == report.after.result == "temperror"
    assert elapsed < budget + SLACK
    # Each question is asked once per check, however many addresses the routes have.
    assert silent_dns_server.query_count <= 2


def test_a_check_against_a_silent_server_ends_in_temperror_within_budget(
    silent_dns_server: FakeDnsServer,
) -> None:
    resolver = LiveResolver([silent_dns_server.address], timeout=0.5)
    started = time.monotonic()
    verdict = check_address(
        LISTED[0], "iij-taro@iijmio-mail.jp", "mo-listed.iijmio-mail.jp", resolver.session(BUDGET)
    )
    assert time.monotonic() - started < BUDGET + SLACK
    assert verdict.result == "temperror"
    assert "timeout" in verdict.explanation.lower()


def test_a_failing_server_hands_the_question_to_the_next_at_once(
    servfail_dns_server: FakeDnsServer, demo_zone_dns_server: FakeDnsServer
) -> None:
    resolver = LiveResolver(
        [servfail_dns_server.address, demo_zone_dns_server.address], timeout=2.0
    )
    started = time.monotonic()
    answer = resolver.session()("example.jp", "TXT")
    assert answer == [(("example.jp", "TXT"), (b"v=spf1 ip4:203.0.113.0/24 ~all",))]
    assert time.monotonic() - started < SLACK
    assert servfail_dns_server.query_count == demo_zone_dns_server.query_count == 1


def test_dns_failures_are_logged_with_their_cause_but_not_the_address(
    silent_dns_server: FakeDnsServer, caplog: pytest.LogCaptureFixture
) -> None:
    resolver = LiveResolver([silent_dns_server.address], timeout=0.3)
    with caplog.at_level(logging.WARNING, logger="mailcheck.dns"):
        check_address(
            LISTED[0], "someone@slow.example", "mo-listed.iijmio-mail.jp", resolver.session(0.5)
        )
        with pytest.raises(pyspf.TempError):
            resolver.session(0.0)("later.example", "A")
    messages = [record.getMessage() for record in caplog.records]
    assert all(record.levelno == logging.WARNING for record in caplog.records)
    timeout_line = next(m for m in messages if "failed after" in m)
    assert "TXT slow.example." in timeout_line
    assert silent_dns_server.address in timeout_line
    assert "did not answer within 0.30 s" in timeout_line
    assert any("budget" in m and "later.example" in m for m in messages)
    assert not any("someone" in m or "@" in m for m in messages)


def test_an_address_written_into_a_query_name_is_masked_in_the_log() -> None:
    assert loggable_name("someone@example.jp._spf.example.test") == (
        "(sender).jp._spf.example.test"
    )
    assert loggable_name("_dmarc.example.jp.") == "_dmarc.example.jp."


def test_servfail_is_a_temporary_error(servfail_dns_server: FakeDnsServer) -> None:
    resolver = LiveResolver([servfail_dns_server.address])
    with pytest.raises(pyspf.TempError, match="server failure"):
        resolver.session()("example.jp", "TXT")
    verdict = check_address(
        LISTED[0], "example@example.jp", "mo-listed.iijmio-mail.jp", resolver.session()
    )
    assert verdict.result == "temperror"
    # Failures are not cached: the next check asks again.
    before = servfail_dns_server.query_count
    with pytest.raises(pyspf.TempError):
        resolver.session()("example.jp", "TXT")
    assert servfail_dns_server.query_count > before
