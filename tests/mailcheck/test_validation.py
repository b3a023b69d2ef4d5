"""The configuration rules, with SPF answered from zone text: no database."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from mailcheck.dns import ZoneResolver
from mailcheck.policy import RouteKind, service_from_document
from mailcheck.spf import SpfResult
from mailcheck.validation import Code, Level, Verdicts, impact, path_text, validate

DEMO_DIR = Path(__file__).resolve().parents[2] / "mailcheck" / "demo"
DEMO = json.loads((DEMO_DIR / "service.json").read_text(encoding="utf-8"))
ZONE = ZoneResolver.from_file(DEMO_DIR / "demo.zone")

# Two domains: one lists the listed route's addresses and also one unlisted address, so the
# change makes no difference for that address there.
SMALL_ZONE = """
a.example.jp.  TXT  "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"
b.example.jp.  TXT  "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ip4:198.51.100.25 -all"
"""


def document(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEMO)
    data.update(changes)
    return data


def small() -> dict[str, Any]:
    data = document(domains=["a.example.jp", "b.example.jp"])
    data["routes"][1]["addresses"] = ["198.51.100.25"]
    return data


def codes(problems: Any) -> list[tuple[Code, Level, str]]:
    return [(p.code, p.level, p.where) for p in problems]


def test_the_demo_configuration_meets_every_rule_against_the_demo_zone() -> None:
    validation = validate(DEMO, ZONE.session(), complete=True)

    assert validation.problems == ()
    assert validation.spf_checked


def test_a_listed_address_not_in_spf_is_an_error_on_its_row() -> None:
    data = document()
    data["routes"][0]["addresses"].append("198.51.100.26")

    validation = validate(data, ZONE.session(), complete=True)

    assert codes(validation.problems) == [
        (Code.LISTED_NOT_PASSING, Level.ERROR, "routes[0].addresses[2]")
    ]
    problem = validation.errors[0]
    assert "iijmio-mail.jp (softfail)" in problem.message
    assert ("domains", 0) in problem.related


def test_an_unlisted_address_that_passes_is_a_warning() -> None:
    validation = validate(small(), ZoneResolver.from_text(SMALL_ZONE).session(), complete=True)

    assert codes(validation.problems) == [
        (Code.UNLISTED_PASSING, Level.WARNING, "routes[1].addresses[0]")
    ]
    assert "b.example.jp" in validation.warnings[0].message
    assert "a.example.jp" not in validation.warnings[0].message


def test_dns_that_cannot_answer_leaves_the_addresses_unverified() -> None:
    zone = ZoneResolver.from_suite_zonedata(
        {
            "a.example.jp": [{"TXT": "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"}],
            "b.example.jp": ["TIMEOUT"],
        }
    )

    validation = validate(small(), zone.session(), complete=True)

    assert validation.errors == ()
    assert {p.where for p in validation.unverified} == {
        "routes[0].addresses[0]",
        "routes[0].addresses[1]",
        "routes[1].addresses[0]",
    }
    assert all("b.example.jp" in p.message for p in validation.unverified)


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda d: d.update(domains=[]), (Code.NO_DOMAIN, "domains")),
        (lambda d: d["domains"].append("E23.jp"), (Code.DUPLICATE_DOMAIN, "domains[5]")),
        (lambda d: d["routes"].pop(), (Code.MISSING_ROUTE, "routes")),
        (
            lambda d: d["routes"].append(copy.deepcopy(d["routes"][0])),
            (Code.DUPLICATE_ROUTE, "routes[2].kind"),
        ),
        (
            lambda d: d["routes"][1].update(addresses=[]),
            (Code.NO_ADDRESS, "routes[1].addresses"),
        ),
        (
            lambda d: d["routes"][1]["addresses"].append("2001:DB8:25:0::25"),
            (Code.ADDRESS_ON_TWO_ROUTES, "routes[1].addresses[2]"),
        ),
        (
            lambda d: d["routes"][0]["addresses"].append("::ffff:192.0.2.25"),
            (Code.DUPLICATE_ADDRESS, "routes[0].addresses[2]"),
        ),
        (
            lambda d: d["changes"].append(copy.deepcopy(d["changes"][0])),
            (Code.DUPLICATE_CHANGE, "changes[1].effective"),
        ),
    ],
)
def test_rules_without_dns(spoil: Any, expected: tuple[Code, str]) -> None:
    data = document()
    spoil(data)

    validation = validate(data, None, complete=True)

    assert [(p.code, p.where) for p in validation.errors] == [expected]
    assert not validation.spf_checked


def test_a_service_being_set_up_may_lack_its_routes() -> None:
    assert validate(document(routes=[]), None, complete=False).problems == ()


def test_paths_read_as_in_the_document() -> None:
    assert path_text(("routes", 0, "addresses", 2)) == "routes[0].addresses[2]"
    assert path_text(("domains",)) == "domains"


def test_impact_shows_the_verdicts_a_new_configuration_gives_beside_the_current_ones() -> None:
    current = service_from_document(DEMO)
    # Mismatched senders keep the listed route after the change.
    proposed = dataclasses.replace(
        current,
        changes=(dataclasses.replace(current.changes[0], mismatched_route=RouteKind.LISTED),),
    )

    rows = impact(current, proposed, ZONE.session(), datetime.date(2026, 1, 1))

    assert len(rows) == 10  # two sample senders for each of the five domains
    mismatched = next(r for r in rows if r.domain == "iijmio-mail.jp" and not r.matches)
    assert mismatched.account == "postmaster.iijmio-mail.jp"
    assert mismatched.mail_from == "info@iijmio-mail.jp"
    assert mismatched.current == Verdicts(SpfResult.PASS, SpfResult.SOFTFAIL)
    assert mismatched.proposed == Verdicts(SpfResult.PASS, SpfResult.PASS)
    assert mismatched.changed
    assert not any(r.changed for r in rows if r.matches)


def test_impact_of_taking_the_check_offline() -> None:
    rows = impact(service_from_document(DEMO), None, ZONE.session(), datetime.date(2026, 1, 1))

    assert all(r.proposed == Verdicts(None, None) and r.changed for r in rows)
