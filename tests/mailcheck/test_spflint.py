"""The domain owner's lint (mailcheck/spflint.py) against zone text: each problem, a clean
record, nested lookup counting, loops, and the record to publish for our listed route."""

from __future__ import annotations

import pytest

from mailcheck.dns import DnsLookup, ZoneResolver
from mailcheck.spflint import (
    LOOKUP_LIMIT,
    ProblemCode,
    SuggestionKind,
    lint_domain,
    lint_record,
    suggest_record,
)

LISTED = ("192.0.2.25", "2001:db8:25::25")

# Our service's record, as in the demo zone, and a few helpers for the customers' records.
BASE = """
$TTL 300
iijmio-mail.jp.      TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"
host.example.jp.     A   203.0.113.5
host.example.jp.     AAAA 2001:db8:5::5
mx.example.jp.       A   203.0.113.6
other.example.jp.    TXT "v=spf1 ip4:198.51.100.0/24 -all"
"""


def lookup_for(zone: str) -> DnsLookup:
    return ZoneResolver.from_text(BASE + zone).session(5.0)


def codes_of(zone: str, domain: str = "d.example.jp") -> list[ProblemCode]:
    return list(lint_domain(domain, lookup_for(zone)).codes)


CLEAN = """
d.example.jp.  TXT "v=spf1 ip4:203.0.113.0/24 a:host.example.jp mx include:other.example.jp -all"
d.example.jp.  MX  10 mx.example.jp.
"""


def test_a_clean_record_has_no_problems_and_counts_its_lookups() -> None:
    report = lint_domain("d.example.jp", lookup_for(CLEAN))

    assert report.problems == ()
    assert report.record is not None and report.record.startswith("v=spf1 ip4:203.0.113.0/24")
    assert report.lookups == 3  # a, mx, include
    assert report.void_lookups == 0
    assert [(r.domain, r.via) for r in report.records] == [
        ("d.example.jp", "top"),
        ("other.example.jp", "include"),
    ]


# (zone text for d.example.jp, the problem code, the term or count it names)
PROBLEMS = [
    ('d.example.jp. TXT "v=spf1 ip4:203.0.113.300 -all"', ProblemCode.SYNTAX, "ip4:203.0.113.300"),
    (
        'd.example.jp. TXT "v=spf1 incluce:other.example.jp -all"',
        ProblemCode.SYNTAX,
        "incluce:other.example.jp",
    ),
    (
        'd.example.jp. TXT "v=spf1 a:host..example.jp -all"',
        ProblemCode.SYNTAX,
        "a:host..example.jp",
    ),
    (
        'd.example.jp. TXT "v=spf1 redirect=other.example.jp redirect=other.example.jp"',
        ProblemCode.SYNTAX,
        "",
    ),
    (
        'd.example.jp. TXT "v=spf1 -all"\nd.example.jp. TXT "v=spf1 ~all"',
        ProblemCode.MULTIPLE_RECORDS,
        2,
    ),
    ('d.example.jp. TXT "google-site-verification=abc"', ProblemCode.NO_RECORD, ""),
    ('d.example.jp. TXT "v=spf1 ptr -all"', ProblemCode.PTR, "ptr"),
    ('d.example.jp. TXT "v=spf1 ip4:203.0.113.0/24 +all"', ProblemCode.PASS_ALL, "+all"),
    ('d.example.jp. TXT "v=spf1 ip4:203.0.113.0/24 ?all"', ProblemCode.NEUTRAL_ALL, "?all"),
    (
        'd.example.jp. TXT "v=spf1 -all rp=other.example.jp"',
        ProblemCode.UNKNOWN_MODIFIER,
        "rp=other.example.jp",
    ),
    (
        'd.example.jp. TXT "v=spf1 include:nospf.example.jp -all"',
        ProblemCode.INCLUDE_WITHOUT_RECORD,
        "include:nospf.example.jp",
    ),
    (
        'd.example.jp. TXT "v=spf1 redirect=nospf.example.jp"',
        ProblemCode.INCLUDE_WITHOUT_RECORD,
        "redirect=nospf.example.jp",
    ),
    (
        'd.example.jp. TXT "v=spf1 -all redirect=other.example.jp"',
        ProblemCode.REDIRECT_WITH_ALL,
        "redirect=other.example.jp",
    ),
    (
        'd.example.jp. TXT "v=spf1 -all"\nd.example.jp. SPF "v=spf1 -all"',
        ProblemCode.SPF_RR_TYPE,
        "",
    ),
    (
        'd.example.jp. TXT "v=spf1 a:gone1.example.jp a:gone2.example.jp mx:gone3.example.jp -all"',
        ProblemCode.TOO_MANY_VOID_LOOKUPS,
        3,
    ),
]


@pytest.mark.parametrize(("zone", "code", "fact"), PROBLEMS)
def test_each_problem_is_reported_with_its_facts(
    zone: str, code: ProblemCode, fact: str | int
) -> None:
    report = lint_domain("d.example.jp", lookup_for(zone))

    found = [p for p in report.problems if p.code is code]
    assert len(found) == 1, report.problems
    if isinstance(fact, int):
        assert found[0].count == fact
    elif fact:
        assert found[0].term == fact


def test_a_record_over_450_bytes_is_too_long() -> None:
    addresses = " ".join(f"ip4:203.0.113.{n}" for n in range(1, 40))
    record = f"v=spf1 {addresses} -all"
    strings = " ".join(f'"{record[i : i + 200]}"' for i in range(0, len(record), 200))
    report = lint_domain("d.example.jp", lookup_for(f"d.example.jp. TXT {strings}"))

    assert report.codes == (ProblemCode.TOO_LONG,)
    assert report.problems[0].count == len(record) > 450
    assert report.record == record  # the strings of one TXT record are joined without spaces


def test_lookups_inside_includes_count_towards_the_limit_of_ten() -> None:
    # Top: 2 includes. Each include: 5 "a" terms. 2 + 10 = 12 lookups, none at the top alone.
    inner = " ".join(["a:host.example.jp"] * 5)
    zone = f"""
d.example.jp.   TXT "v=spf1 include:i1.example.jp include:i2.example.jp -all"
i1.example.jp.  TXT "v=spf1 {inner} -all"
i2.example.jp.  TXT "v=spf1 {inner} redirect=other.example.jp"
"""
    report = lint_domain("d.example.jp", lookup_for(zone))

    assert report.lookups == 13  # the redirect of i2 counts too
    assert report.codes == (ProblemCode.TOO_MANY_LOOKUPS,)
    problem = report.problems[0]
    assert (problem.count, problem.limit) == (13, LOOKUP_LIMIT)


def test_ten_lookups_are_allowed() -> None:
    terms = " ".join(["a:host.example.jp"] * 10)
    report = lint_domain("d.example.jp", lookup_for(f'd.example.jp. TXT "v=spf1 {terms} -all"'))

    assert report.lookups == 10
    assert report.problems == ()


@pytest.mark.parametrize(
    "zone",
    [
        'd.example.jp. TXT "v=spf1 include:d.example.jp -all"',
        'd.example.jp. TXT "v=spf1 include:e.example.jp -all"\n'
        'e.example.jp. TXT "v=spf1 redirect=d.example.jp"',
    ],
    ids=["itself", "through-another"],
)
def test_a_loop_is_reported_and_followed_only_once(zone: str) -> None:
    report = lint_domain("d.example.jp", lookup_for(zone))

    assert ProblemCode.LOOP in report.codes
    assert report.lookups <= 2


def test_a_record_without_spf_as_txt_is_not_one() -> None:
    report = lint_domain("nothing.example.jp", lookup_for(""))

    assert report.record is None
    assert report.codes == (ProblemCode.NO_RECORD,)


def test_a_lint_of_a_record_not_yet_published_follows_its_includes() -> None:
    report = lint_record("new.example.jp", "v=spf1 include:iijmio-mail.jp ~all", lookup_for(""))

    assert report.problems == ()
    assert report.lookups == 1


# ---------------------------------------------------------------------------------------------
# The record to publish for our listed route
# ---------------------------------------------------------------------------------------------


def test_the_suggestion_includes_our_record_before_the_all_term() -> None:
    lookup = lookup_for('d.example.jp. TXT "v=spf1 ip4:203.0.113.0/24 mx -all"')
    report = lint_domain("d.example.jp", lookup)

    suggestion = suggest_record(report, LISTED, "iijmio-mail.jp", lookup)

    assert suggestion.kind is SuggestionKind.INCLUDE
    assert suggestion.record == "v=spf1 ip4:203.0.113.0/24 mx include:iijmio-mail.jp -all"
    assert suggestion.lookups == 2


def test_the_suggestion_lists_our_addresses_when_our_record_cannot_be_included() -> None:
    zone = """
d.example.jp.    TXT "v=spf1 ip4:203.0.113.0/24 ~all"
strict.example.  TXT "v=spf1 a -all"
"""
    lookup = lookup_for(zone)
    report = lint_domain("d.example.jp", lookup)

    suggestion = suggest_record(report, LISTED, "strict.example", lookup)

    assert suggestion.kind is SuggestionKind.ADDRESSES
    assert suggestion.record == (
        "v=spf1 ip4:203.0.113.0/24 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"
    )
    assert suggestion.lookups == 0


def test_the_suggestion_lists_addresses_when_an_include_would_pass_the_limit() -> None:
    terms = " ".join(["a:host.example.jp"] * 10)
    lookup = lookup_for(f'd.example.jp. TXT "v=spf1 {terms} -all"')
    report = lint_domain("d.example.jp", lookup)

    suggestion = suggest_record(report, LISTED, "iijmio-mail.jp", lookup)

    assert suggestion.kind is SuggestionKind.ADDRESSES
    assert suggestion.lookups == 10
    assert suggestion.record is not None and "ip4:192.0.2.25 ip6:2001:db8:25::25 -all" in (
        suggestion.record
    )


def test_a_domain_without_a_record_gets_a_new_one_ending_in_softfail() -> None:
    lookup = lookup_for("")
    report = lint_domain("d.example.jp", lookup)

    suggestion = suggest_record(report, LISTED, "iijmio-mail.jp", lookup)

    assert suggestion.record == "v=spf1 include:iijmio-mail.jp ~all"


def test_a_broken_record_must_be_fixed_first() -> None:
    lookup = lookup_for('d.example.jp. TXT "v=spf1 ip4:bad -all"')
    report = lint_domain("d.example.jp", lookup)

    suggestion = suggest_record(report, LISTED, "iijmio-mail.jp", lookup)

    assert suggestion.kind is SuggestionKind.FIX_FIRST
    assert suggestion.record is None


def test_a_record_that_already_lets_our_route_pass_needs_nothing() -> None:
    lookup = lookup_for('d.example.jp. TXT "v=spf1 include:iijmio-mail.jp -all"')
    report = lint_domain("d.example.jp", lookup)

    suggestion = suggest_record(report, LISTED, "iijmio-mail.jp", lookup)

    assert suggestion.kind is SuggestionKind.ALREADY_PASSES
    assert suggestion.added == ()


def test_the_demo_domains() -> None:
    lookup = ZoneResolver.from_file("mailcheck/demo/demo.zone").session(5.0)

    assert lint_domain("example.jp", lookup).problems == ()
    assert lint_domain("example.com", lookup).codes == (ProblemCode.NO_RECORD,)
    report = lint_domain("example.jp", lookup)
    suggestion = suggest_record(report, LISTED, "iijmio-mail.jp", lookup)
    assert suggestion.record == "v=spf1 ip4:203.0.113.0/24 include:iijmio-mail.jp ~all"
