"""Routes and dated policy changes: which route a mail takes on which day (DOMAIN.md §1)."""

from __future__ import annotations

import datetime

import pytest

from mailcheck.policy import PolicyChange, Route, RouteKind, Service

LISTED = Route(RouteKind.LISTED, ("192.0.2.25", "2001:db8:25::25"), "mo-listed.iijmio-mail.jp")
UNLISTED = Route(
    RouteKind.UNLISTED, ("198.51.100.25", "2001:db8:ff::25"), "mo-unlisted.iijmio-mail.jp"
)

CHANGE_2014 = PolicyChange(
    effective=datetime.date(2014, 3, 25),
    matched_route=RouteKind.LISTED,
    mismatched_route=RouteKind.UNLISTED,
    announced=datetime.date(2014, 2, 24),
    title="Mismatched senders leave through the unlisted route",
)
# A later change, pure data: from 2020 on every mail leaves through the unlisted route.
CHANGE_2020 = PolicyChange(
    effective=datetime.date(2020, 4, 1),
    matched_route=RouteKind.UNLISTED,
    mismatched_route=RouteKind.UNLISTED,
    title="Everything through the unlisted route",
)


def service(*changes: PolicyChange, initial: RouteKind = RouteKind.LISTED) -> Service:
    return Service(
        name="demo",
        submission_host="mbox.iijmio-mail.jp",
        submission_port=587,
        domains=("iijmio-mail.jp", "e23.jp"),
        routes=(LISTED, UNLISTED),
        changes=changes,
        initial_route=initial,
    )


D = datetime.date


@pytest.mark.parametrize(
    ("day", "matches", "route"),
    [
        (D(2000, 1, 1), True, LISTED),
        (D(2000, 1, 1), False, LISTED),
        (D(2014, 3, 24), True, LISTED),
        (D(2014, 3, 24), False, LISTED),
        (D(2014, 3, 25), True, LISTED),
        (D(2014, 3, 25), False, UNLISTED),
        (D(2030, 1, 1), True, LISTED),
        (D(2030, 1, 1), False, UNLISTED),
    ],
)
def test_it_routes_by_date_and_match_with_the_2014_change(
    day: datetime.date, matches: bool, route: Route
) -> None:
    assert service(CHANGE_2014).route_for(matches=matches, day=day) == route


@pytest.mark.parametrize(
    ("day", "matches", "route"),
    [
        (D(2014, 3, 24), True, LISTED),
        (D(2014, 3, 24), False, LISTED),
        (D(2014, 3, 25), True, LISTED),
        (D(2014, 3, 25), False, UNLISTED),
        (D(2020, 3, 31), True, LISTED),
        (D(2020, 3, 31), False, UNLISTED),
        (D(2020, 4, 1), True, UNLISTED),
        (D(2020, 4, 1), False, UNLISTED),
    ],
)
def test_a_later_change_takes_over_from_its_date_without_code(
    day: datetime.date, matches: bool, route: Route
) -> None:
    # The order the changes are listed in must not matter.
    for svc in (service(CHANGE_2014, CHANGE_2020), service(CHANGE_2020, CHANGE_2014)):
        assert svc.route_for(matches=matches, day=day) == route


def test_without_changes_every_mail_takes_the_initial_route() -> None:
    for initial, route in ((RouteKind.LISTED, LISTED), (RouteKind.UNLISTED, UNLISTED)):
        svc = service(initial=initial)
        assert svc.route_for(matches=False, day=D(2030, 1, 1)) == route
        assert svc.route_for(matches=True, day=D(2000, 1, 1)) == route


@pytest.mark.parametrize(
    ("day", "change"),
    [
        (D(2014, 3, 24), None),
        (D(2014, 3, 25), CHANGE_2014),
        (D(2020, 3, 31), CHANGE_2014),
        (D(2020, 4, 1), CHANGE_2020),
        (D(2099, 1, 1), CHANGE_2020),
    ],
)
def test_the_change_in_force_is_the_newest_one_that_has_started(
    day: datetime.date, change: PolicyChange | None
) -> None:
    assert service(CHANGE_2020, CHANGE_2014).change_in_force(day) == change


@pytest.mark.parametrize(
    ("changes", "today", "latest"),
    [
        ((), None, None),
        ((), D(2024, 1, 1), None),
        ((CHANGE_2014,), None, CHANGE_2014),
        ((CHANGE_2014,), D(2024, 1, 1), CHANGE_2014),
        # Before the first change: the one that is due.
        ((CHANGE_2014,), D(2014, 2, 24), CHANGE_2014),
        ((CHANGE_2014, CHANGE_2020), None, CHANGE_2020),
        ((CHANGE_2020, CHANGE_2014), D(2014, 1, 1), CHANGE_2014),
        ((CHANGE_2014, CHANGE_2020), D(2016, 1, 1), CHANGE_2014),
        ((CHANGE_2020, CHANGE_2014), D(2020, 4, 1), CHANGE_2020),
    ],
)
def test_the_latest_change_is_the_newest_in_force_else_the_next_due(
    changes: tuple[PolicyChange, ...], today: datetime.date | None, latest: PolicyChange | None
) -> None:
    assert service(*changes).latest_change(today) == latest


def test_it_finds_a_route_by_kind_and_refuses_a_missing_one() -> None:
    svc = Service("demo", "mbox.iijmio-mail.jp", 587, ("iijmio-mail.jp",), (LISTED,))

    assert svc.route(RouteKind.LISTED) == LISTED
    with pytest.raises(LookupError):
        svc.route(RouteKind.UNLISTED)


@pytest.mark.parametrize(
    "addresses",
    [
        (),
        ("not-an-address",),
        ("192.0.2.256",),
        ("192.0.2.25", "mo-listed.iijmio-mail.jp"),
        ("192.0.2.0/24",),
        ("",),
    ],
)
def test_a_route_without_valid_addresses_is_refused(addresses: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        Route(RouteKind.LISTED, addresses, "mo-listed.iijmio-mail.jp")


@pytest.mark.parametrize("addresses", [("192.0.2.25",), ("2001:db8::1",), ("192.0.2.25", "::1")])
def test_a_route_accepts_ipv4_and_ipv6_addresses(addresses: tuple[str, ...]) -> None:
    assert Route(RouteKind.LISTED, addresses, "mo.example.jp").addresses == addresses


@pytest.mark.parametrize(
    ("domain", "is_service"),
    [("iijmio-mail.jp", True), ("E23.JP", True), ("example.jp", False), ("mail.jp", False)],
)
def test_it_tells_service_domains_from_others(domain: str, is_service: bool) -> None:
    assert service().is_service_domain(domain) is is_service
