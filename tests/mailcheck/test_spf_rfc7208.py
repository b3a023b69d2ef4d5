"""The OpenSPF RFC 7208 conformance suite, run through our zone resolver and check_address.

The suite (tests/data/rfc7208-tests.yml, BSD licence beside it) describes each scenario's DNS
as ``zonedata``; ZoneResolver.from_suite_zonedata turns it into a resolver, so the suite tests
our DNS seam and our pyspf wrapper together, not pyspf alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mailcheck.dns import ZoneResolver
from mailcheck.spf import SpfResult, check_address

SUITE = Path(__file__).resolve().parent.parent / "data" / "rfc7208-tests.yml"

# The 2014.04 release of the suite; a smaller number means tests were lost on the way.
EXPECTED_TESTS = 203
EXPECTED_SCENARIOS = 16

DEFAULT_EXPLANATIONS = {
    SpfResult.FAIL: "SPF fail - not authorized",
    SpfResult.SOFTFAIL: "domain owner discourages use of this host",
}


def load_suite() -> list[tuple[str, dict[str, Any], ZoneResolver]]:
    cases = []
    with SUITE.open("rb") as fh:
        scenarios = list(yaml.safe_load_all(fh))
    for scenario in scenarios:
        resolver = ZoneResolver.from_suite_zonedata(scenario["zonedata"])
        for name, test in scenario["tests"].items():
            cases.append((f"{scenario['description']}/{name}", test, resolver))
    assert len(scenarios) == EXPECTED_SCENARIOS
    return cases


CASES = load_suite()


def test_the_whole_suite_is_collected() -> None:
    assert len(CASES) == EXPECTED_TESTS
    assert len({case_id for case_id, _, _ in CASES}) == EXPECTED_TESTS


@pytest.mark.parametrize(
    ("test", "resolver"),
    [pytest.param(test, resolver, id=case_id) for case_id, test, resolver in CASES],
)
def test_rfc7208(test: dict[str, Any], resolver: ZoneResolver) -> None:
    accepted = test["result"] if isinstance(test["result"], list) else [test["result"]]
    verdict = check_address(
        str(test["host"]), str(test["mailfrom"]), str(test["helo"]), resolver.session()
    )
    assert verdict.result in {SpfResult(result) for result in accepted}, verdict.explanation
    if "explanation" in test:
        # "DEFAULT" stands for the checker's own wording when the domain gives no exp=.
        expected = test["explanation"]
        if expected == "DEFAULT":
            expected = DEFAULT_EXPLANATIONS[verdict.result]
        assert verdict.explanation == expected
