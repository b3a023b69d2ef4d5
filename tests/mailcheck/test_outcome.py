"""The customer's outcome: SPF together with the visible From domain's DMARC policy and
alignment, per period, against the demo zone and zones made for each rule."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from mailcheck.check import (
    Delivery,
    Finding,
    Fix,
    FixKind,
    Rejected,
    Report,
    delivery_for,
    run_check,
)
from mailcheck.dmarc import Alignment, DmarcPolicy, DmarcRecord
from mailcheck.dns import ZoneResolver
from mailcheck.identity import Field, ProblemCode
from mailcheck.policy import Service, service_from_document
from mailcheck.spf import SpfResult

ROOT = Path(__file__).resolve().parents[2]
DEMO_ZONE = ROOT / "mailcheck" / "demo" / "demo.zone"
DEMO_SERVICE = ROOT / "mailcheck" / "demo" / "service.json"
TODAY = datetime.date(2024, 6, 1)

# Both routes of the demo service pass for these domains, so alignment alone decides.
BOTH_ROUTES = (
    '"v=spf1 ip4:192.0.2.25 ip4:198.51.100.25 ip6:2001:db8:25::25 ip6:2001:db8:ff::25 -all"'
)
RULES_ZONE = f"""
_dmarc.relaxed.example.     TXT "v=DMARC1; p=reject"
relaxed.example.            TXT {BOTH_ROUTES}
mail.relaxed.example.       TXT {BOTH_ROUTES}
_dmarc.strict.example.      TXT "v=DMARC1; p=reject; aspf=s"
strict.example.             TXT {BOTH_ROUTES}
mail.strict.example.        TXT {BOTH_ROUTES}
_dmarc.parent.example.      TXT "v=DMARC1; p=none; sp=reject"
parent.example.             TXT "v=spf1 ~all"
mail.parent.example.        TXT "v=spf1 ~all"
_dmarc.half.example.        TXT "v=DMARC1; p=quarantine; pct=50"
half.example.               TXT "v=spf1 ~all"
_dmarc.zero.example.        TXT "v=DMARC1; p=reject; pct=0"
zero.example.               TXT "v=spf1 ~all"
other.example.              TXT {BOTH_ROUTES}
"""


@pytest.fixture(scope="module")
def service() -> Service:
    return service_from_document(json.loads(DEMO_SERVICE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def zone() -> ZoneResolver:
    return ZoneResolver.from_text(DEMO_ZONE.read_text(encoding="utf-8") + RULES_ZONE)


def check(service: Service, zone: ZoneResolver, account: str, mail_from: str, **kw: Any) -> Report:
    report = run_check(account, mail_from, service, zone, today=TODAY, **kw)
    assert isinstance(report, Report), report
    return report


@pytest.mark.parametrize(
    ("account", "mail_from", "header_from", "before", "after"),
    [
        pytest.param(
            "iij-taro.iijmio-mail.jp",
            "iij-taro@iijmio-mail.jp",
            "",
            Delivery.DELIVERED,
            Delivery.DELIVERED,
            id="matching",
        ),
        pytest.param(
            "iij-taro.iijmio-mail.jp",
            "iij-jiro@iijmio-mail.jp",
            "",
            Delivery.DELIVERED,
            Delivery.AT_RISK,
            id="example-1-softfail-under-p-none",
        ),
        pytest.param(
            "iiij-taro.iijmio-mail.jp",
            "example@example.jp",
            "",
            Delivery.QUARANTINE,
            Delivery.QUARANTINE,
            id="example-3-p-quarantine",
        ),
        pytest.param(
            "iij-taro.iijmio-mail.jp",
            "someone@example.com",
            "",
            Delivery.REJECT,
            Delivery.REJECT,
            id="no-spf-under-p-reject",
        ),
        pytest.param(
            "iij-taro.iijmio-mail.jp",
            "iij-taro@iijmio-mail.jp",
            "someone@example.com",
            Delivery.REJECT,
            Delivery.REJECT,
            id="pass-but-header-from-at-p-reject-does-not-align",
        ),
    ],
)
def test_it_answers_the_outcome_of_each_demo_case(
    service: Service,
    zone: ZoneResolver,
    account: str,
    mail_from: str,
    header_from: str,
    before: Delivery,
    after: Delivery,
) -> None:
    report = check(service, zone, account, mail_from, header_from_text=header_from)

    assert (report.before.delivery, report.after.delivery) == (before, after)


def test_the_header_from_defaults_to_the_envelope_from(
    service: Service, zone: ZoneResolver
) -> None:
    report = check(service, zone, "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp")

    assert report.header_from == report.mail_from
    assert report.spf_aligned
    assert Finding.NOT_ALIGNED not in report.findings


def test_a_header_from_that_does_not_align_is_a_finding(
    service: Service, zone: ZoneResolver
) -> None:
    report = check(
        service,
        zone,
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        header_from_text="someone@example.com",
    )

    assert report.after.result is SpfResult.PASS
    assert not report.spf_aligned
    assert report.dmarc is not None and report.dmarc.domain == "example.com"
    assert report.after.by_dmarc
    # The policy that decides comes first, then why it applies.
    assert report.findings[0] is Finding.DMARC_ENFORCED
    assert Finding.NOT_ALIGNED in report.findings


def test_a_header_from_that_does_not_align_gets_its_fix(
    service: Service, zone: ZoneResolver
) -> None:
    report = check(
        service,
        zone,
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        header_from_text="someone@example.com",
    )

    # Account and address belong together: the visible From alone keeps the mail out.
    assert report.after.delivery is Delivery.REJECT
    assert report.fixes == (
        Fix(FixKind.ALIGN_HEADER_FROM, mail_from="iij-taro@iijmio-mail.jp", domain="example.com"),
    )


@pytest.mark.parametrize(
    ("mail_from", "header_from"),
    [
        ("x@mail.relaxed.example", "user@relaxed.example"),  # aligned: delivered
        ("x@relaxed.example", "x@relaxed.example"),  # no visible From of its own
    ],
)
def test_an_aligned_header_from_needs_no_fix(
    service: Service, zone: ZoneResolver, mail_from: str, header_from: str
) -> None:
    report = check(
        service, zone, "iij-taro.iijmio-mail.jp", mail_from, header_from_text=header_from
    )

    assert all(f.kind is not FixKind.ALIGN_HEADER_FROM for f in report.fixes)


@pytest.mark.parametrize(
    ("mail_from", "header_from", "aligned", "delivery"),
    [
        # Relaxed (the default): the same organisational domain is enough.
        ("x@mail.relaxed.example", "user@relaxed.example", True, Delivery.DELIVERED),
        ("x@relaxed.example", "user@mail.relaxed.example", True, Delivery.DELIVERED),
        # Strict (aspf=s): only the same name.
        ("x@strict.example", "user@strict.example", True, Delivery.DELIVERED),
        ("x@mail.strict.example", "user@strict.example", False, Delivery.REJECT),
        # Another organisation passes SPF for itself, not for the From's domain.
        ("x@other.example", "user@relaxed.example", False, Delivery.REJECT),
    ],
)
def test_alignment_decides_whether_an_spf_pass_counts(
    service: Service,
    zone: ZoneResolver,
    mail_from: str,
    header_from: str,
    aligned: bool,
    delivery: Delivery,
) -> None:
    report = check(
        service, zone, "iij-taro.iijmio-mail.jp", mail_from, header_from_text=header_from
    )

    assert report.after.result is SpfResult.PASS
    assert report.spf_aligned is aligned
    assert report.after.delivery is delivery


@pytest.mark.parametrize(
    ("address", "delivery"),
    [
        ("x@parent.example", Delivery.AT_RISK),  # p=none at the domain itself
        ("x@mail.parent.example", Delivery.REJECT),  # sp=reject for its sub-domains
    ],
)
def test_a_sub_domain_gets_the_sub_domain_policy(
    service: Service, zone: ZoneResolver, address: str, delivery: Delivery
) -> None:
    report = check(service, zone, "iij-taro.iijmio-mail.jp", address)

    assert report.after.result is SpfResult.SOFTFAIL
    assert report.after.delivery is delivery


def test_a_policy_sampled_with_pct_applies_and_notes_the_share(
    service: Service, zone: ZoneResolver
) -> None:
    report = check(service, zone, "iij-taro.iijmio-mail.jp", "x@half.example")

    assert report.after.delivery is Delivery.QUARANTINE
    assert report.after.by_dmarc
    assert report.dmarc is not None and report.dmarc.percent == 50


def test_pct_zero_applies_the_next_less_strict_policy(service: Service, zone: ZoneResolver) -> None:
    # RFC 7489 §6.6.4: mail outside the sample gets the next less strict policy.
    report = check(service, zone, "iij-taro.iijmio-mail.jp", "x@zero.example")

    assert report.after.delivery is Delivery.QUARANTINE


def test_an_invalid_header_from_is_refused_under_its_own_field(
    service: Service, zone: ZoneResolver
) -> None:
    outcome = run_check(
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        service,
        zone,
        today=TODAY,
        header_from_text="someone",
    )

    assert isinstance(outcome, Rejected)
    assert [(p.field, p.code) for p in outcome.problems] == [
        (Field.HEADER_FROM, ProblemCode.ADDRESS_NO_AT)
    ]


def test_a_normalised_header_from_is_reported_under_its_own_field(
    service: Service, zone: ZoneResolver
) -> None:
    report = check(
        service,
        zone,
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        header_from_text="<Someone@Example.com>",
    )

    assert report.header_from.domain == "example.com"
    assert {n.field for n in report.normalisations} == {Field.HEADER_FROM}


def _record(policy: DmarcPolicy, percent: int = 100) -> DmarcRecord:
    return DmarcRecord("example.jp", "v=DMARC1", policy, percent, Alignment.RELAXED)


@pytest.mark.parametrize(
    ("result", "dmarc", "aligned", "expected"),
    [
        (SpfResult.PASS, None, False, Delivery.DELIVERED),
        (SpfResult.PASS, _record(DmarcPolicy.REJECT), True, Delivery.DELIVERED),
        (SpfResult.PASS, _record(DmarcPolicy.NONE), False, Delivery.AT_RISK),
        (SpfResult.SOFTFAIL, None, True, Delivery.AT_RISK),
        (SpfResult.NEUTRAL, None, True, Delivery.AT_RISK),
        (SpfResult.NONE, _record(DmarcPolicy.NONE), True, Delivery.AT_RISK),
        (SpfResult.PERMERROR, None, True, Delivery.AT_RISK),
        (SpfResult.SOFTFAIL, _record(DmarcPolicy.QUARANTINE), True, Delivery.QUARANTINE),
        (SpfResult.SOFTFAIL, _record(DmarcPolicy.REJECT), True, Delivery.REJECT),
        (SpfResult.SOFTFAIL, _record(DmarcPolicy.QUARANTINE, 0), True, Delivery.AT_RISK),
        (SpfResult.FAIL, None, True, Delivery.REJECT),
        (SpfResult.TEMPERROR, _record(DmarcPolicy.REJECT), True, Delivery.UNKNOWN),
    ],
)
def test_the_outcome_table(
    result: SpfResult, dmarc: DmarcRecord | None, aligned: bool, expected: Delivery
) -> None:
    assert delivery_for(result, dmarc, aligned)[0] is expected
