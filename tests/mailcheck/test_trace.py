"""The trace of each address's SPF check: records as a tree, limits, and every DNS query.

Against zone text, a live resolver on loopback, the JSON document and the page.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from mailcheck.check import Report, run_check
from mailcheck.dns import LiveResolver, ZoneResolver
from mailcheck.policy import service_from_document
from mailcheck.presenters import report_json
from mailcheck.spf import SpfResult, check_address
from tests.dnsserver import DEMO_ZONE, FakeDnsServer
from tests.mailcheck.test_spf_rfc7208 import CASES as SUITE_CASES

ROOT = Path(__file__).resolve().parents[2]

TREE = ZoneResolver.from_text(
    """
top.test.        TXT "v=spf1 include:inc.test redirect=red.test"
inc.test.        TXT "v=spf1 include:deep.test -all"
deep.test.       TXT "v=spf1 ip4:192.0.2.9 a:gone.test ~all"
red.test.        TXT "v=spf1 mx:mail.test -all"
mail.test.       MX  10 mx1.mail.test.
mx1.mail.test.   A   192.0.2.2
void.test.       TXT "v=spf1 a:n1.test a:n2.test -all"
many.test.       TXT "v=spf1 include:i1.test include:i2.test include:i3.test include:i4.test include:i5.test include:i6.test include:i7.test include:i8.test include:i9.test include:i10.test include:i11.test -all"
"""  # noqa: E501 - a record is one line.
    + "".join(f'i{n}.test. TXT "v=spf1 ip4:198.51.100.{n} ~all"\n' for n in range(1, 12))
)


def test_records_form_a_tree_of_includes_and_redirects() -> None:
    verdict = check_address("192.0.2.2", "a@top.test", "h.test", TREE.session())

    assert verdict.result is SpfResult.PASS
    assert [(r.domain, r.via, r.depth, r.parent) for r in verdict.records] == [
        ("top.test", "top", 0, None),
        ("inc.test", "include", 1, 0),
        ("deep.test", "include", 2, 1),  # included by inc.test, not by top.test
        ("red.test", "redirect", 1, 0),
    ]
    assert verdict.mechanism == "mx:mail.test"


def test_every_query_is_listed_with_its_answer_in_order() -> None:
    verdict = check_address("192.0.2.2", "a@top.test", "h.test", TREE.session())

    assert [(q.name, q.qtype, q.answer, q.outcome) for q in verdict.queries] == [
        ("top.test", "TXT", ("v=spf1 include:inc.test redirect=red.test",), "answer"),
        ("inc.test", "TXT", ("v=spf1 include:deep.test -all",), "answer"),
        ("deep.test", "TXT", ("v=spf1 ip4:192.0.2.9 a:gone.test ~all",), "answer"),
        ("gone.test", "A", (), "nxdomain_or_nodata"),
        ("red.test", "TXT", ("v=spf1 mx:mail.test -all",), "answer"),
        ("mail.test", "MX", ("10 mx1.mail.test",), "answer"),
        ("mx1.mail.test", "A", ("192.0.2.2",), "answer"),
    ]
    assert all(q.ms >= 0 and q.cached is None for q in verdict.queries)
    # include, include, a, redirect, mx: five of ten; gone.test found nothing: one of two.
    assert (verdict.lookups, verdict.void_lookups) == (5, 1)


def test_each_address_gets_its_own_queries() -> None:
    lookup = TREE.session()
    first = check_address("192.0.2.2", "a@void.test", "h.test", lookup)
    second = check_address("2001:db8::2", "a@void.test", "h.test", lookup)

    assert [q.qtype for q in first.queries] == ["TXT", "A", "A"]
    assert [q.qtype for q in second.queries] == ["TXT", "AAAA", "AAAA"]
    assert (second.lookups, second.void_lookups) == (2, 2)


def test_a_record_over_the_lookup_limit_still_shows_its_records_and_queries() -> None:
    verdict = check_address("203.0.113.1", "a@many.test", "h.test", TREE.session())

    assert verdict.result is SpfResult.PERMERROR
    assert verdict.lookups == 11  # the eleventh include is where the check stopped
    # The top record and the ten includes fetched before the limit, each under the top one.
    assert [r.domain for r in verdict.records] == ["many.test"] + [
        f"i{n}.test" for n in range(1, 11)
    ]
    assert {(r.depth, r.parent) for r in verdict.records[1:]} == {(1, 0)}
    assert [q.name for q in verdict.queries] == ["many.test"] + [f"i{n}.test" for n in range(1, 11)]


def test_a_timeout_is_listed_where_it_happened() -> None:
    zone = ZoneResolver.from_suite_zonedata(
        {"top.test": [{"TXT": "v=spf1 include:slow.test -all"}], "slow.test": ["TIMEOUT"]}
    )
    verdict = check_address("192.0.2.1", "a@top.test", "h.test", zone.session())

    assert verdict.result is SpfResult.TEMPERROR
    assert [r.domain for r in verdict.records] == ["top.test"]
    assert [(q.name, q.outcome, q.answer) for q in verdict.queries] == [
        ("top.test", "answer", ("v=spf1 include:slow.test -all",)),
        ("slow.test", "timeout", ()),
    ]


def test_a_live_resolver_says_which_answers_came_from_its_cache(
    demo_zone_dns_server: FakeDnsServer,
) -> None:
    resolver = LiveResolver([demo_zone_dns_server.address])

    first = check_address("192.0.2.25", "a@iijmio-mail.jp", "h.test", resolver.session())
    again = check_address("192.0.2.25", "a@iijmio-mail.jp", "h.test", resolver.session())

    assert [(q.name, q.outcome, q.cached) for q in first.queries] == [
        ("iijmio-mail.jp", "answer", False)
    ]
    assert [(q.name, q.outcome, q.cached) for q in again.queries] == [
        ("iijmio-mail.jp", "answer", True)
    ]


@pytest.mark.parametrize(
    ("test", "resolver"),
    [pytest.param(test, resolver, id=case_id) for case_id, test, resolver in SUITE_CASES],
)
def test_every_conformance_case_gives_a_consistent_tree(test: dict, resolver: ZoneResolver) -> None:
    verdict = check_address(
        str(test["host"]), str(test["mailfrom"]), str(test["helo"]), resolver.session()
    )
    for index, record in enumerate(verdict.records):
        if record.parent is None:
            assert (index, record.depth, record.via) == (0, 0, "top")
        else:
            assert record.parent < index
            assert record.depth == verdict.records[record.parent].depth + 1
    fetched = {(q.name.lower().rstrip("."), q.outcome) for q in verdict.queries}
    assert all((r.domain.lower().rstrip("."), "answer") in fetched for r in verdict.records)


# --- The JSON document and the page ---------------------------------------------------------------


def demo_report(account: str, mail_from: str, zone: ZoneResolver) -> Report:
    data = json.loads((ROOT / "mailcheck/demo/service.json").read_text(encoding="utf-8"))
    report = run_check(account, mail_from, service_from_document(data), zone)
    assert isinstance(report, Report)
    return report


def test_the_json_details_carry_the_trace() -> None:
    zone = ZoneResolver.from_file(DEMO_ZONE)
    document = json.loads(
        json.dumps(
            report_json(demo_report("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", zone))
        )
    )

    detail = document["after"]["details"][0]
    assert detail["ip"] == "198.51.100.25"
    assert detail["mechanism"] == "~all"
    assert (detail["lookups"], detail["lookups_limit"]) == (0, 10)
    assert (detail["void_lookups"], detail["void_lookups_limit"]) == (0, 2)
    assert detail["records"] == [
        {
            "domain": "iijmio-mail.jp",
            "text": "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all",
            "via": "top",
            "depth": 0,
            "parent": None,
        }
    ]
    (query,) = detail["queries"]
    assert {k: v for k, v in query.items() if k != "ms"} == {
        "name": "iijmio-mail.jp",
        "type": "TXT",
        "answer": ["v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"],
        "outcome": "answer",
        "cached": None,
    }
    assert isinstance(query["ms"], float)


MALICIOUS_ZONE = """
evil.example.     TXT "v=spf1 include:inc.evil.example ~all x=<b>bold</b>"
inc.evil.example. TXT "v=spf1 ip4:203.0.113.7 exists:<script>alert(1)</script>.evil.example -all"
"""


@pytest.fixture
def malicious_demo(settings: object, tmp_path: Path) -> None:
    zone = tmp_path / "evil.zone"
    zone.write_text(DEMO_ZONE.read_text(encoding="utf-8") + MALICIOUS_ZONE, encoding="utf-8")
    settings.MAILCHECK_DNS = f"zone:{zone}"  # type: ignore[attr-defined]
    call_command("loaddemo", "--no-admin")


def trace_section(html: str) -> str:
    found = re.search(r'<section class="trace".*?</section>', html, flags=re.S)
    assert found, "no trace on the page"
    return found.group(0)


@pytest.mark.django_db
def test_the_page_shows_the_trace_and_escapes_the_records(
    client: Client, malicious_demo: None
) -> None:
    response = client.get(
        "/en/check/?account=iij-taro.iijmio-mail.jp&mail_from=taro@evil.example&trace=1"
    )
    trace = trace_section(response.content.decode("utf-8"))

    assert "<script>" not in trace
    assert "<b>" not in trace
    assert "x=&lt;b&gt;bold&lt;/b&gt;" in trace
    assert "exists:&lt;script&gt;alert(1)&lt;/script&gt;.evil.example" in trace
    # The include is nested inside the list item of the record that included it.
    assert re.search(
        r"<li><code>evil\.example</code>.*?<ul>\s*<li><code>inc\.evil\.example</code>",
        trace,
        flags=re.S,
    )
    assert "DNS lookups: 2 of 10" in trace
    assert "Lookups that found nothing: 1 of 2" in trace
    assert '<table class="trace__queries">' in trace
    assert "<code>inc.evil.example</code></td><td>TXT</td>" in trace


@pytest.mark.django_db
def test_the_japanese_page_shows_the_trace_for_both_periods(
    client: Client, malicious_demo: None
) -> None:
    query = "account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp"
    response = client.get(f"/check/?{query}&trace=1")
    trace = trace_section(response.content.decode("utf-8"))

    # Two periods, two addresses each.
    assert trace.count('<details class="trace__address">') == 4
    assert trace.count("<h4>") == 2
    assert "<code>~all</code>" in trace


@pytest.mark.django_db
def test_the_result_page_links_to_the_trace_and_shows_it_on_request(client: Client) -> None:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    url = "/en/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro%40iijmio-mail.jp"

    plain = client.get(url).content.decode()
    traced = client.get(url + "&trace=1").content.decode()

    assert 'id="trace-title"' not in plain
    assert "trace=1#trace-title" in plain
    assert 'id="trace-title"' in traced
    assert "DNS lookups:" in traced
