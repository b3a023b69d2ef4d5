"""The self-check against the demo zone and the demo service: DOMAIN.md §1, case by case."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from mailcheck.check import Finding, Fix, FixKind, Rejected, Report, run_check
from mailcheck.dns import DnsLookup, ZoneResolver
from mailcheck.identity import Change, Field, Match, ProblemCode
from mailcheck.policy import RouteKind, Service, Timeline, service_from_document
from mailcheck.spf import SpfResult

ROOT = Path(__file__).resolve().parents[2]
DEMO_ZONE = ROOT / "mailcheck" / "demo" / "demo.zone"
DEMO_SERVICE = ROOT / "mailcheck" / "demo" / "service.json"

LISTED_IPS = ("192.0.2.25", "2001:db8:25::25")
UNLISTED_IPS = ("198.51.100.25", "2001:db8:ff::25")
TODAY = datetime.date(2024, 6, 1)


def service_from_json(data: dict[str, Any]) -> Service:
    return service_from_document(data)


@pytest.fixture(scope="module")
def demo_service() -> Service:
    return service_from_json(json.loads(DEMO_SERVICE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def zone() -> ZoneResolver:
    return ZoneResolver.from_file(DEMO_ZONE)


def check(service: Service, resolver: Any, account: str, mail_from: str, **kwargs: Any) -> Report:
    kwargs.setdefault("today", TODAY)
    report = run_check(account, mail_from, service, resolver, **kwargs)
    assert isinstance(report, Report), report
    return report


# DOMAIN.md §1, the table: (account, envelope From, match, before, after, route after).
FOUR_CASES = [
    pytest.param(
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        Match.SAME,
        SpfResult.PASS,
        SpfResult.PASS,
        RouteKind.LISTED,
        id="ok",
    ),
    pytest.param(
        "iij-taro.iijmio-mail.jp",
        "iij-jiro@iijmio-mail.jp",
        Match.MAILBOX_DIFFERS,
        SpfResult.PASS,
        SpfResult.SOFTFAIL,
        RouteKind.UNLISTED,
        id="example-1",
    ),
    pytest.param(
        "iij-taro.iijmio-mail.jp",
        "iij-taro@e23.jp",
        Match.DOMAIN_DIFFERS,
        SpfResult.PASS,
        SpfResult.SOFTFAIL,
        RouteKind.UNLISTED,
        id="example-2",
    ),
    pytest.param(
        "iiij-taro.iijmio-mail.jp",
        "example@example.jp",
        Match.BOTH_DIFFER,
        SpfResult.SOFTFAIL,
        SpfResult.SOFTFAIL,
        RouteKind.UNLISTED,
        id="example-3",
    ),
]


@pytest.mark.parametrize(
    ("account", "mail_from", "match", "before", "after", "route_after"), FOUR_CASES
)
def test_it_gives_the_results_of_the_notice_table(
    demo_service: Service,
    zone: ZoneResolver,
    account: str,
    mail_from: str,
    match: Match,
    before: SpfResult,
    after: SpfResult,
    route_after: RouteKind,
) -> None:
    report = check(demo_service, zone, account, mail_from)

    assert report.account.name == account
    assert report.mail_from.text == mail_from
    assert report.match is match
    assert report.matches is (match is Match.SAME)
    # Before the change every authenticated mail left through the SPF-listed route.
    assert report.before.day == datetime.date(2014, 3, 24)
    assert report.before.route.kind is RouteKind.LISTED
    assert report.before.route.addresses == LISTED_IPS
    assert report.before.result is before
    assert report.after.day == datetime.date(2014, 3, 25)
    assert report.after.route.kind is route_after
    assert report.after.route.addresses == (
        LISTED_IPS if route_after is RouteKind.LISTED else UNLISTED_IPS
    )
    assert report.after.result is after
    # Every address of the route is evaluated, and both families agree here.
    for outcome, result in ((report.before, before), (report.after, after)):
        assert [v.ip for v in outcome.spf.verdicts] == list(outcome.route.addresses)
        assert {v.result for v in outcome.spf.verdicts} == {result}
    assert report.dns_source == "zone"


@pytest.mark.parametrize(
    ("mail_from", "findings"),
    [
        ("iij-taro@iijmio-mail.jp", ()),
        ("iij-jiro@iijmio-mail.jp", (Finding.MAILBOX_DIFFERS, Finding.NEWLY_FAILING)),
        ("iij-taro@e23.jp", (Finding.DOMAIN_DIFFERS, Finding.NEWLY_FAILING)),
        ("iij-jiro@miobox.jp", (Finding.MAILBOX_DIFFERS, Finding.NEWLY_FAILING)),
        (
            "example@example.jp",
            # The DMARC policy decides what happens, so its reason comes first.
            (Finding.DMARC_ENFORCED, Finding.OUTSIDE_SERVICE, Finding.ALWAYS_FAILING),
        ),
    ],
)
def test_it_says_why(
    demo_service: Service, zone: ZoneResolver, mail_from: str, findings: tuple[Finding, ...]
) -> None:
    report = check(demo_service, zone, "iij-taro.iijmio-mail.jp", mail_from)

    assert report.findings == findings


@pytest.mark.parametrize("mail_from", ["user@example.com", "user@nospf.example.jp"])
@pytest.mark.parametrize("account", ["iij-taro.iijmio-mail.jp", "user.iijmio-mail.jp"])
def test_a_domain_without_spf_gives_none_whatever_the_route(
    demo_service: Service, zone: ZoneResolver, account: str, mail_from: str
) -> None:
    report = check(demo_service, zone, account, mail_from)

    assert report.before.result is SpfResult.NONE
    assert report.after.result is SpfResult.NONE
    assert report.before.route.kind is RouteKind.LISTED
    assert report.after.route.kind is RouteKind.UNLISTED
    assert Finding.NO_SPF in report.findings
    assert Finding.NEWLY_FAILING not in report.findings
    assert Finding.ALWAYS_FAILING not in report.findings


def test_it_notices_when_the_addresses_of_a_route_disagree(
    demo_service: Service, zone: ZoneResolver
) -> None:
    report = check(demo_service, zone, "iij-taro.iijmio-mail.jp", "user@v4only.example.jp")

    ips = {v.ip: v.result for v in report.before.spf.verdicts}
    assert ips == {"192.0.2.25": SpfResult.PASS, "2001:db8:25::25": SpfResult.SOFTFAIL}
    assert not report.before.spf.consistent
    # The route's verdict is the worse of the two.
    assert report.before.result is SpfResult.SOFTFAIL
    assert Finding.ADDRESSES_DISAGREE in report.findings


# The same settings, typed as customers type them.
TYPED_VARIANTS = [
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"),
    (
        "ｉｉｊ－ｔａｒｏ．ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ",
        "ｉｉｊ－ｔａｒｏ＠ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ",
        "ｉｉｊ－ｊｉｒｏ＠ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ",
    ),
    ("IIJ-Taro.IIJmio-Mail.JP", "IIJ-Taro@IIJmio-Mail.JP", "IIJ-Jiro@IIJMIO-MAIL.JP"),
    (
        "\u3000iij-taro.iijmio-mail.jp.\u3000",
        " mailto:iij-taro@iijmio-mail.jp. ",
        "Jiro <iij-jiro@iijmio-mail.jp.>",
    ),
    ("iij-taro.iijmio-mail.jp", "<iij-taro@iijmio-mail.jp>", "MAILTO:iij-jiro@iijmio-mail.jp"),
]


@pytest.mark.parametrize(("account", "same", "other"), TYPED_VARIANTS)
def test_typed_variants_give_the_same_result(
    demo_service: Service, zone: ZoneResolver, account: str, same: str, other: str
) -> None:
    ok = check(demo_service, zone, account, same)
    differs = check(demo_service, zone, account, other)

    assert ok.account.name == "iij-taro.iijmio-mail.jp"
    assert ok.mail_from.text == "iij-taro@iijmio-mail.jp"
    assert (ok.match, ok.before.result, ok.after.result) == (
        Match.SAME,
        SpfResult.PASS,
        SpfResult.PASS,
    )
    assert differs.mail_from.text == "iij-jiro@iijmio-mail.jp"
    assert (differs.match, differs.before.result, differs.after.result) == (
        Match.MAILBOX_DIFFERS,
        SpfResult.PASS,
        SpfResult.SOFTFAIL,
    )


def test_it_reports_the_normalisations_of_both_fields(
    demo_service: Service, zone: ZoneResolver
) -> None:
    report = check(demo_service, zone, "IIJ-Taro.iijmio-mail.jp", "mailto:iij-taro@iijmio-mail.jp")

    assert [(n.field, n.change, n.before, n.after) for n in report.normalisations] == [
        (Field.ACCOUNT, Change.CASE, "IIJ-Taro.iijmio-mail.jp", "iij-taro.iijmio-mail.jp"),
        (
            Field.MAIL_FROM,
            Change.MAILTO,
            "mailto:iij-taro@iijmio-mail.jp",
            "iij-taro@iijmio-mail.jp",
        ),
    ]


@pytest.mark.parametrize(
    ("account", "mail_from", "fixes"),
    [
        ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", ()),
        (
            "iij-taro.iijmio-mail.jp",
            "iij-jiro@iijmio-mail.jp",
            (
                Fix(
                    FixKind.USE_ADDRESS_ACCOUNT,
                    account="iij-jiro.iijmio-mail.jp",
                    mail_from="iij-jiro@iijmio-mail.jp",
                ),
                Fix(
                    FixKind.USE_ACCOUNT_ADDRESS,
                    account="iij-taro.iijmio-mail.jp",
                    mail_from="iij-taro@iijmio-mail.jp",
                ),
            ),
        ),
        (
            "taro.yamada.iijmio-mail.jp",
            "taro.yamada@e23.jp",
            (
                Fix(
                    FixKind.USE_ADDRESS_ACCOUNT,
                    account="taro.yamada.e23.jp",
                    mail_from="taro.yamada@e23.jp",
                ),
                Fix(
                    FixKind.USE_ACCOUNT_ADDRESS,
                    account="taro.yamada.iijmio-mail.jp",
                    mail_from="taro.yamada@iijmio-mail.jp",
                ),
            ),
        ),
        (
            "iiij-taro.iijmio-mail.jp",
            "example@example.jp",
            (
                Fix(
                    FixKind.USE_OWN_PROVIDER,
                    mail_from="example@example.jp",
                    domain="example.jp",
                ),
                Fix(
                    FixKind.USE_ACCOUNT_ADDRESS,
                    account="iiij-taro.iijmio-mail.jp",
                    mail_from="iiij-taro@iijmio-mail.jp",
                ),
            ),
        ),
    ],
)
def test_it_says_what_to_change(
    demo_service: Service,
    zone: ZoneResolver,
    account: str,
    mail_from: str,
    fixes: tuple[Fix, ...],
) -> None:
    assert check(demo_service, zone, account, mail_from).fixes == fixes


@pytest.mark.parametrize(
    ("account", "mail_from", "problems"),
    [
        ("", "", [(Field.ACCOUNT, ProblemCode.EMPTY), (Field.MAIL_FROM, ProblemCode.EMPTY)]),
        (
            "iij-taro@iijmio-mail.jp",
            "iij-taro@iijmio-mail.jp",
            [(Field.ACCOUNT, ProblemCode.ACCOUNT_HAS_AT)],
        ),
        ("iij-taro", "iij-taro@iijmio-mail.jp", [(Field.ACCOUNT, ProblemCode.ACCOUNT_NO_DOMAIN)]),
        (
            "taro.gmail.com",
            "taro@gmail.com",
            [(Field.ACCOUNT, ProblemCode.ACCOUNT_OUTSIDE_SERVICE)],
        ),
        ("iij-taro.iijmio-mail.jp", "iij-taro", [(Field.MAIL_FROM, ProblemCode.ADDRESS_NO_AT)]),
        (
            "iij-taro.iijmio-mail.jp",
            "iij taro@iijmio-mail.jp",
            [(Field.MAIL_FROM, ProblemCode.HAS_SPACE)],
        ),
        (
            "iij-taro",
            "a@b@c.jp",
            [
                (Field.ACCOUNT, ProblemCode.ACCOUNT_NO_DOMAIN),
                (Field.MAIL_FROM, ProblemCode.ADDRESS_MANY_AT),
            ],
        ),
    ],
)
def test_it_rejects_bad_input_with_problems_on_the_right_fields(
    demo_service: Service,
    zone: ZoneResolver,
    account: str,
    mail_from: str,
    problems: list[tuple[Field, ProblemCode]],
) -> None:
    outcome = run_check(account, mail_from, demo_service, zone, today=TODAY)

    assert isinstance(outcome, Rejected)
    assert [(p.field, p.code) for p in outcome.problems] == problems


def test_a_rejection_carries_the_suggested_account(
    demo_service: Service, zone: ZoneResolver
) -> None:
    outcome = run_check("iij-taro@iijmio-mail.jp", "iij-taro@iijmio-mail.jp", demo_service, zone)

    assert isinstance(outcome, Rejected)
    assert [p.suggestion for p in outcome.problems] == ["iij-taro.iijmio-mail.jp"]


class RecordingResolver:
    """Answers from a zone and remembers the budget each check asked for."""

    def __init__(self, inner: ZoneResolver) -> None:
        self.inner = inner
        self.source = "recording"
        self.budgets: list[float] = []

    def session(self, budget: float = 3.0) -> DnsLookup:
        self.budgets.append(budget)
        return self.inner.session(budget)


@pytest.mark.parametrize("budget", [0.5, 3.0, 7.25])
def test_it_passes_the_dns_budget_to_one_session_for_the_whole_check(
    demo_service: Service, zone: ZoneResolver, budget: float
) -> None:
    resolver = RecordingResolver(zone)

    report = check(
        demo_service, resolver, "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", budget=budget
    )

    assert resolver.budgets == [budget]
    assert report.dns_source == "recording"


def test_the_receiver_name_appears_in_the_headers(
    demo_service: Service, zone: ZoneResolver
) -> None:
    report = check(
        demo_service,
        zone,
        "iij-taro.iijmio-mail.jp",
        "iij-jiro@iijmio-mail.jp",
        receiver="mx.receiver.test",
    )

    for verdict in report.after.spf.verdicts:
        assert "receiver=mx.receiver.test" in verdict.received_spf
        assert verdict.authentication_results.startswith("mx.receiver.test")


def test_a_later_change_in_the_service_data_moves_the_comparison(zone: ZoneResolver) -> None:
    data = json.loads(DEMO_SERVICE.read_text(encoding="utf-8"))
    data["changes"].append(
        {
            "title": "Everything through the unlisted route",
            "announced": None,
            "effective": "2030-01-01",
            "matched_route": "unlisted",
            "mismatched_route": "unlisted",
        }
    )
    svc = service_from_json(data)

    now = check(svc, zone, "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp")
    later = check(
        svc,
        zone,
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        today=datetime.date(2030, 6, 1),
    )

    assert now.change is not None and now.change.effective == datetime.date(2014, 3, 25)
    assert later.change is not None and later.change.effective == datetime.date(2030, 1, 1)
    assert (later.before.day, later.before.route.kind, later.before.result) == (
        datetime.date(2029, 12, 31),
        RouteKind.LISTED,
        SpfResult.PASS,
    )
    assert (later.after.route.kind, later.after.result) == (RouteKind.UNLISTED, SpfResult.SOFTFAIL)
    assert Finding.NEWLY_FAILING in later.findings


@pytest.mark.django_db
def test_the_service_loaded_into_the_database_checks_the_same(zone: ZoneResolver) -> None:
    from django.core.management import call_command

    from mailcheck.services import current_service

    call_command("loaddemo", "--no-admin")
    svc = current_service()

    for account, mail_from, *_rest in (p.values for p in FOUR_CASES):
        from_db = check(svc, zone, account, mail_from)
        from_json = check(
            service_from_json(json.loads(DEMO_SERVICE.read_text(encoding="utf-8"))),
            zone,
            account,
            mail_from,
        )
        assert (from_db.before.result, from_db.after.result, from_db.after.route.kind) == (
            from_json.before.result,
            from_json.after.result,
            from_json.after.route.kind,
        )


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_SERVICE.read_text(encoding="utf-8"))
    return data


def test_without_a_dated_change_both_outcomes_are_today_and_nothing_is_said_of_a_change(
    zone: ZoneResolver,
) -> None:
    data = demo_data()
    data["changes"] = []

    report = check(service_from_json(data), zone, "iij-taro.iijmio-mail.jp", "example@example.jp")

    assert report.change is None
    assert report.timeline is Timeline.NO_CHANGE
    assert report.after.day == TODAY
    assert report.before.route == report.after.route
    # It fails (example.jp's own record), but not "since" or "before" any change.
    assert report.after.result is SpfResult.SOFTFAIL
    assert report.findings == (Finding.DMARC_ENFORCED, Finding.OUTSIDE_SERVICE)


def test_a_change_still_ahead_compares_today_with_it(zone: ZoneResolver) -> None:
    data = demo_data()
    data["changes"][0]["effective"] = "2027-01-10"

    report = check(
        service_from_json(data), zone, "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"
    )

    assert report.timeline is Timeline.AHEAD
    assert (report.before.day, report.after.day) == (
        datetime.date(2027, 1, 9),
        datetime.date(2027, 1, 10),
    )
    assert (report.before.route.kind, report.after.route.kind) == (
        RouteKind.LISTED,
        RouteKind.UNLISTED,
    )
    assert report.findings == (Finding.MAILBOX_DIFFERS, Finding.NEWLY_FAILING)


def test_mismatched_senders_on_the_listed_route_pass_and_need_no_fix(zone: ZoneResolver) -> None:
    data = demo_data()
    data["changes"][0]["mismatched_route"] = "listed"
    svc = service_from_json(data)

    for mail_from in ("iij-jiro@iijmio-mail.jp", "iij-taro@e23.jp"):
        report = check(svc, zone, "iij-taro.iijmio-mail.jp", mail_from)

        assert (report.before.result, report.after.result) == (SpfResult.PASS, SpfResult.PASS)
        assert report.after.route.kind is RouteKind.LISTED
        assert report.before.route.kind is RouteKind.LISTED
        assert Finding.NEWLY_FAILING not in report.findings
        assert Finding.ALWAYS_FAILING not in report.findings
        assert report.fixes == ()


def test_a_change_back_to_the_listed_route_is_no_new_failure(zone: ZoneResolver) -> None:
    data = demo_data()
    data["changes"].append(
        {
            "title": "Back to the listed route",
            "announced": None,
            "effective": "2020-04-01",
            "matched_route": "listed",
            "mismatched_route": "listed",
        }
    )
    data["changes"].append(
        {
            "title": "Unlisted again, later",
            "announced": None,
            "effective": "2030-01-01",
            "matched_route": "listed",
            "mismatched_route": "unlisted",
        }
    )

    report = check(
        service_from_json(data), zone, "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"
    )

    assert report.timeline is Timeline.IN_FORCE
    assert report.change is not None and report.change.effective == datetime.date(2020, 4, 1)
    assert report.next_change is not None
    assert report.next_change.effective == datetime.date(2030, 1, 1)
    assert (report.before.result, report.after.result) == (SpfResult.SOFTFAIL, SpfResult.PASS)
    assert report.findings == (Finding.MAILBOX_DIFFERS,)
    assert report.fixes == ()


@pytest.mark.parametrize(
    ("today", "timeline", "change", "next_change", "before_day"),
    [
        (datetime.date(2010, 1, 1), Timeline.AHEAD, "2014-03-25", None, "2014-03-24"),
        (datetime.date(2014, 3, 25), Timeline.IN_FORCE, "2014-03-25", "2020-04-01", "2014-03-24"),
        (datetime.date(2024, 6, 1), Timeline.IN_FORCE, "2020-04-01", None, "2020-03-31"),
    ],
)
def test_the_periods_follow_the_latest_change_in_force(
    today: datetime.date,
    timeline: Timeline,
    change: str,
    next_change: str | None,
    before_day: str,
) -> None:
    data = demo_data()
    data["changes"].append({**data["changes"][0], "effective": "2020-04-01"})
    periods = service_from_json(data).periods(today)

    assert periods.timeline is timeline
    assert periods.change is not None and periods.change.effective.isoformat() == change
    assert (periods.next_change.effective.isoformat() if periods.next_change else None) == (
        next_change
    )
    assert periods.before_day.isoformat() == before_day
    assert periods.after_day.isoformat() == change


def test_a_route_taken_on_both_days_is_evaluated_once(
    demo_service: Service, zone: ZoneResolver
) -> None:
    same = check(demo_service, zone, "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp")
    moved = check(demo_service, zone, "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp")

    assert same.before.route == same.after.route
    assert same.before.spf is same.after.spf  # one evaluation, shared
    assert moved.before.route != moved.after.route
    assert moved.before.spf is not moved.after.spf
