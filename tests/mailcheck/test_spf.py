"""SPF evaluation: the demo cases, traces, headers, limits and inputs that must not crash."""

from __future__ import annotations

import logging
import threading
from typing import Any

import dns.exception
import dns.resolver
import pytest
import spf as pyspf

from mailcheck.dns import InvalidName, LookupResult, ZoneResolver
from mailcheck.spf import (
    AddressVerdict,
    RouteVerdict,
    SpfRecord,
    SpfResult,
    check_address,
    evaluate_route,
)
from tests.dnsserver import DEMO_ZONE

LISTED_HELO = "mo-listed.iijmio-mail.jp"
UNLISTED_HELO = "mo-unlisted.iijmio-mail.jp"
LISTED = ("192.0.2.25", "2001:db8:25::25")
UNLISTED = ("198.51.100.25", "2001:db8:ff::25")


@pytest.fixture(scope="module")
def demo() -> ZoneResolver:
    return ZoneResolver.from_file(DEMO_ZONE)


# --- The demo cases (DOMAIN.md §1) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("mail_from", "route", "helo", "expected"),
    [
        pytest.param("iij-taro@iijmio-mail.jp", LISTED, LISTED_HELO, "pass", id="ok"),
        pytest.param("iij-jiro@iijmio-mail.jp", UNLISTED, UNLISTED_HELO, "softfail", id="ex1"),
        pytest.param("iij-taro@e23.jp", UNLISTED, UNLISTED_HELO, "softfail", id="ex2"),
        pytest.param("example@example.jp", LISTED, LISTED_HELO, "softfail", id="ex3-listed"),
        pytest.param("example@example.jp", UNLISTED, UNLISTED_HELO, "softfail", id="ex3-unlisted"),
        pytest.param("user@example.com", LISTED, LISTED_HELO, "none", id="no-spf-listed"),
        pytest.param("user@example.com", UNLISTED, UNLISTED_HELO, "none", id="no-spf-unlisted"),
        pytest.param("user@nospf.example.jp", UNLISTED, UNLISTED_HELO, "none", id="nospf"),
        pytest.param("taro@miomio.jp", LISTED, LISTED_HELO, "pass", id="miomio"),
        pytest.param("taro@miobox.jp", UNLISTED, UNLISTED_HELO, "softfail", id="miobox"),
        pytest.param("taro@x-il.jp", LISTED, LISTED_HELO, "pass", id="x-il"),
    ],
)
def test_demo_routes_get_the_documented_results(
    demo: ZoneResolver, mail_from: str, route: tuple[str, str], helo: str, expected: str
) -> None:
    verdict = evaluate_route(mail_from, route, helo, demo.session())
    assert verdict.result == expected
    assert verdict.consistent
    assert [v.ip for v in verdict.verdicts] == list(route)
    assert (verdict.mail_from, verdict.helo) == (mail_from, helo)


def test_it_reports_softfail_from_the_unlisted_route(demo: ZoneResolver) -> None:
    verdict = check_address(UNLISTED[0], "iij-taro@iijmio-mail.jp", UNLISTED_HELO, demo.session())
    assert verdict == AddressVerdict(
        ip="198.51.100.25",
        result=SpfResult.SOFTFAIL,
        mechanism="~all",
        explanation="domain owner discourages use of this host",
        lookups=0,
        void_lookups=0,
        records=(
            SpfRecord(
                domain="iijmio-mail.jp",
                text="v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all",
                via="top",
            ),
        ),
        received_spf=(
            "SoftFail (mx.example: transitioning domain of iijmio-mail.jp does not designate "
            "198.51.100.25 as permitted sender) client-ip=198.51.100.25; "
            'envelope-from="iij-taro@iijmio-mail.jp"; helo=mo-unlisted.iijmio-mail.jp; '
            "receiver=mx.example; mechanism=~all; identity=mailfrom"
        ),
        authentication_results="mx.example; spf=softfail smtp.mailfrom=iijmio-mail.jp",
    )


def test_it_names_the_matching_term_on_pass(demo: ZoneResolver) -> None:
    verdict = evaluate_route("iij-taro@iijmio-mail.jp", LISTED, LISTED_HELO, demo.session())
    assert [v.mechanism for v in verdict.verdicts] == ["ip4:192.0.2.25", "ip6:2001:db8:25::25"]
    assert 'mechanism="ip6:2001:db8:25::25"' in verdict.verdicts[1].received_spf
    assert verdict.verdicts[1].authentication_results == (
        "mx.example; spf=pass smtp.mailfrom=iijmio-mail.jp"
    )


def test_no_record_gives_none_without_explanation(demo: ZoneResolver) -> None:
    verdict = check_address(LISTED[0], "user@example.com", LISTED_HELO, demo.session())
    assert verdict.result == SpfResult.NONE
    assert (verdict.mechanism, verdict.explanation, verdict.records) == ("", "", ())
    assert verdict.received_spf.startswith("None (mx.example: ")
    assert verdict.authentication_results == "mx.example; spf=none smtp.mailfrom=example.com"


def test_headers_name_the_receiver_given(demo: ZoneResolver) -> None:
    verdict = check_address(
        LISTED[0], "example@example.jp", LISTED_HELO, demo.session(), receiver="mx.recipient.test"
    )
    assert "receiver=mx.recipient.test;" in verdict.received_spf
    assert verdict.authentication_results.startswith("mx.recipient.test; spf=softfail")


def test_an_empty_mail_from_is_checked_as_postmaster_at_helo(demo: ZoneResolver) -> None:
    verdict = check_address(UNLISTED[0], "", UNLISTED_HELO, demo.session())
    assert verdict.result == SpfResult.PASS
    assert verdict.records[0].domain == UNLISTED_HELO
    assert verdict.received_spf.endswith("identity=helo")
    assert "envelope-from" not in verdict.received_spf
    assert verdict.authentication_results == (
        "mx.example; spf=pass smtp.helo=mo-unlisted.iijmio-mail.jp"
    )


# --- Address families --------------------------------------------------------------------------


def test_ipv4_and_ipv6_of_one_route_can_differ(demo: ZoneResolver) -> None:
    # v4only.example.jp lists its sender with "a", and the name has an A record only.
    verdict = evaluate_route("user@v4only.example.jp", LISTED, LISTED_HELO, demo.session())
    assert [v.result for v in verdict.verdicts] == [SpfResult.PASS, SpfResult.SOFTFAIL]
    assert [v.mechanism for v in verdict.verdicts] == ["a", "~all"]
    assert not verdict.consistent
    assert verdict.result == SpfResult.SOFTFAIL
    assert verdict.verdicts[1].void_lookups == 1


def _verdict(result: SpfResult) -> AddressVerdict:
    return AddressVerdict("192.0.2.1", result, "", "", 0, 0, (), "", "")


@pytest.mark.parametrize(
    ("results", "worst"),
    [
        (["pass", "fail"], "fail"),
        (["softfail", "fail", "pass"], "fail"),
        (["pass", "softfail"], "softfail"),
        (["permerror", "softfail"], "softfail"),
        (["temperror", "permerror"], "permerror"),
        (["neutral", "temperror"], "temperror"),
        (["none", "neutral"], "neutral"),
        (["pass", "none"], "none"),
        (["pass", "pass"], "pass"),
    ],
)
def test_a_mixed_route_reports_the_result_worst_for_delivery(
    results: list[str], worst: str
) -> None:
    route = RouteVerdict("a@b.test", "h.test", tuple(_verdict(SpfResult(r)) for r in results))
    assert route.result == worst
    assert route.consistent == (len(set(results)) == 1)


def test_a_route_needs_an_address(demo: ZoneResolver) -> None:
    with pytest.raises(ValueError, match="at least one address"):
        evaluate_route("a@example.jp", [], LISTED_HELO, demo.session())


# --- Traces and limits ---------------------------------------------------------------------------

CHAIN = ZoneResolver.from_text(
    """\
$TTL 300
top.test.        TXT "v=spf1 include:inc.test redirect=red.test"
inc.test.        TXT "v=spf1 ip4:192.0.2.1 -all"
red.test.        TXT "v=spf1 mx:mail.test -all"
mail.test.       MX  10 mx1.mail.test.
mx1.mail.test.   A   192.0.2.2
many.test.       TXT "v=spf1 include:i1.test include:i2.test include:i3.test include:i4.test include:i5.test include:i6.test include:i7.test include:i8.test include:i9.test include:i10.test include:i11.test -all"
void.test.       TXT "v=spf1 a:n1.test a:n2.test a:n3.test -all"
badinc.test.     TXT "v=spf1 include:nothing.test -all"
broken.test.     TXT "v=spf1 ip4:192.0.2.300 -all"
"""  # noqa: E501 - a record is one line.
    + "".join(f'i{n}.test. TXT "v=spf1 ip4:198.51.100.{n} ~all"\n' for n in range(1, 12))
)


def test_it_collects_every_record_it_fetched_in_order() -> None:
    verdict = check_address("192.0.2.2", "a@top.test", "h.test", CHAIN.session())
    assert verdict.result == SpfResult.PASS
    assert verdict.records == (
        SpfRecord("top.test", "v=spf1 include:inc.test redirect=red.test", "top"),
        SpfRecord("inc.test", "v=spf1 ip4:192.0.2.1 -all", "include"),
        SpfRecord("red.test", "v=spf1 mx:mail.test -all", "redirect"),
    )
    # include, redirect and mx each count towards the limit of ten (RFC 7208 §4.6.4).
    assert verdict.lookups == 3


def test_more_than_ten_lookups_is_a_permerror() -> None:
    verdict = check_address("203.0.113.1", "a@many.test", "h.test", CHAIN.session())
    assert verdict.result == SpfResult.PERMERROR
    assert "Too many DNS lookups" in verdict.explanation
    assert verdict.mechanism == ""
    assert verdict.received_spf.startswith("PermError (mx.example: permanent error")


def test_more_than_two_void_lookups_is_a_permerror() -> None:
    verdict = check_address("203.0.113.1", "a@void.test", "h.test", CHAIN.session())
    assert verdict.result == SpfResult.PERMERROR
    assert "Void lookup limit" in verdict.explanation
    assert verdict.void_lookups == 3


def test_an_include_without_record_is_a_permerror_with_the_reason() -> None:
    verdict = check_address("203.0.113.1", "a@badinc.test", "h.test", CHAIN.session())
    assert verdict.result == SpfResult.PERMERROR
    assert "nothing.test" in verdict.explanation


def test_a_broken_record_is_a_permerror_naming_the_term() -> None:
    verdict = check_address("203.0.113.1", "a@broken.test", "h.test", CHAIN.session())
    assert verdict.result == SpfResult.PERMERROR
    assert "192.0.2.300" in verdict.explanation
    assert "problem=" in verdict.received_spf


# --- Errors become verdicts ----------------------------------------------------------------------


def test_an_overlong_domain_is_a_permerror_not_a_crash(demo: ZoneResolver) -> None:
    domain = ".".join(["x" * 60] * 5) + ".jp"
    verdict = check_address(LISTED[0], f"user@{domain}", LISTED_HELO, demo.session())
    assert verdict.result == SpfResult.PERMERROR
    assert "longer than 255 octets" in verdict.explanation
    assert verdict.received_spf.startswith("PermError (")


@pytest.mark.parametrize(
    ("ip", "mail_from", "helo"),
    [
        ("not-an-ip", "user@example.jp", LISTED_HELO),
        ("", "user@example.jp", LISTED_HELO),
        ("192.0.2.25", "user@exa mple.jp", LISTED_HELO),
        ("192.0.2.25", "user@例え.jp", LISTED_HELO),
        ("192.0.2.25", "user@\udcff.jp", LISTED_HELO),
        ("192.0.2.25", "@", ""),
        ("192.0.2.25", "", ""),
        ("192.0.2.25", "user@example..jp", "x" * 300),
        ("192.0.2.25", "user@" + "a" * 64 + ".jp", LISTED_HELO),
        ("::ffff:192.0.2.25", "iij-taro@iijmio-mail.jp", LISTED_HELO),
    ],
)
def test_odd_input_ends_in_a_verdict(
    demo: ZoneResolver, ip: str, mail_from: str, helo: str
) -> None:
    verdict = check_address(ip, mail_from, helo, demo.session())
    assert isinstance(verdict.result, SpfResult)
    assert verdict.received_spf
    assert verdict.authentication_results.startswith("mx.example; spf=")
    if verdict.result in (SpfResult.PERMERROR, SpfResult.TEMPERROR):
        assert verdict.explanation


def test_an_ipv4_mapped_address_is_checked_as_ipv4(demo: ZoneResolver) -> None:
    verdict = check_address(
        "::ffff:192.0.2.25", "iij-taro@iijmio-mail.jp", LISTED_HELO, demo.session()
    )
    assert verdict.result == SpfResult.PASS


def _raising(exc: Exception) -> Any:
    def lookup(name: str, qtype: str, strict: bool = True, timeout: float = 30.0) -> LookupResult:
        raise exc

    return lookup


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (pyspf.TempError("DNS timeout"), SpfResult.TEMPERROR),
        (TimeoutError("slow"), SpfResult.TEMPERROR),
        (ConnectionRefusedError("refused"), SpfResult.TEMPERROR),
        (dns.exception.Timeout("dns slow"), SpfResult.TEMPERROR),
        (dns.resolver.NoNameservers("no servers"), SpfResult.TEMPERROR),
        (pyspf.PermError("broken record"), SpfResult.PERMERROR),
        (ValueError("bad name"), SpfResult.PERMERROR),
        (InvalidName("invalid domain name 'x..jp': empty label"), SpfResult.PERMERROR),
    ],
)
def test_exceptions_from_the_lookup_become_error_verdicts(
    exc: Exception, expected: SpfResult
) -> None:
    verdict = check_address("192.0.2.1", "a@example.jp", "h.example.jp", _raising(exc))
    assert verdict.result == expected
    assert str(exc) in verdict.explanation
    assert verdict.received_spf.startswith(
        "TempError (" if expected == SpfResult.TEMPERROR else "PermError ("
    )


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("something broke"),
        AttributeError("'NoneType' object has no attribute 'x'"),
        TypeError("unsupported operand"),
        KeyError("missing"),
    ],
)
def test_programming_errors_are_not_dressed_up_as_dns_failures(exc: Exception) -> None:
    with pytest.raises(type(exc)):
        check_address("192.0.2.1", "a@example.jp", "h.example.jp", _raising(exc))


def test_a_dns_failure_below_the_lookup_is_logged_without_the_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="mailcheck"):
        verdict = check_address(
            "192.0.2.1", "someone@example.jp", "h.example.jp", _raising(OSError("unreachable"))
        )
    assert verdict.result == SpfResult.TEMPERROR
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "192.0.2.1" in record.getMessage()
    assert "unreachable" in record.getMessage()
    assert "someone" not in record.getMessage()


# --- Concurrency ------------------------------------------------------------------------------


def test_concurrent_checks_each_use_their_own_dns() -> None:
    # Each thread gets a zone in which the same domain lists a different address. Had the
    # lookup been shared (pyspf's module global), threads would see each other's records.
    threads = 16
    rounds = 40
    barrier = threading.Barrier(threads)
    wrong: list[str] = []

    def worker(number: int) -> None:
        zone = ZoneResolver.from_text(
            f'shared.test. 300 TXT "v=spf1 ip4:10.0.0.{number} ip6:2001:db8::{number:x} -all"\n'
        )
        barrier.wait()
        for _ in range(rounds):
            own = check_address(f"10.0.0.{number}", "a@shared.test", "h.test", zone.session())
            other = check_address(
                f"10.0.0.{number + 100}", "a@shared.test", "h.test", zone.session()
            )
            six = check_address(f"2001:db8::{number:x}", "a@shared.test", "h.test", zone.session())
            if (own.result, other.result, six.result) != ("pass", "fail", "pass"):
                wrong.append(f"thread {number}: {own.result} {other.result} {six.result}")
            if own.records[0].text != zone.lookup("shared.test", "TXT")[0][1][0].decode():
                wrong.append(f"thread {number}: saw another thread's record")

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert wrong == []
