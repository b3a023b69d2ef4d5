"""The service's outbound routes and its dated policy changes.

A route is a pool of sending addresses with the HELO name they announce. The SPF-listed route
is in the service domains' SPF records; the unlisted route is not. Which route an authenticated
mail takes depends on whether the account and the envelope From match, and on the date: that
rule is data (a list of dated changes), so a later date or another change needs no code.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class RouteKind(StrEnum):
    LISTED = "listed"
    UNLISTED = "unlisted"


class Security(StrEnum):
    """How a mail program protects its connection to one of the service's servers."""

    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (RFC 3207, RFC 2595)
    SSL = "ssl"  # TLS from the first byte ("implicit TLS", RFC 8314)
    NONE = "none"  # unencrypted


class IncomingProtocol(StrEnum):
    POP3 = "pop3"
    IMAP = "imap"


# What a configuration that does not say (an older export, a new service) gets: the real
# service's settings, submission with STARTTLS and POP3 on the submission host, port 110.
DEFAULT_SECURITY = Security.STARTTLS
DEFAULT_INCOMING_PROTOCOL = IncomingProtocol.POP3
DEFAULT_INCOMING_PORT = 110
# How the submission server records the account that logged in, in the Received header it adds
# (read when grading a test mail, mailcheck/inbound/): "(authenticated as iij-taro.iijmio-mail.jp)".
DEFAULT_RECEIVED_AUTH_PATTERN = r"\(authenticated as (?P<account>[^\s()]+)\)"


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    addresses: tuple[str, ...]
    helo: str

    def __post_init__(self) -> None:
        if not self.addresses:
            raise ValueError("a route needs at least one address")
        for address in self.addresses:
            ipaddress.ip_address(address)


@dataclass(frozen=True)
class PolicyChange:
    """From ``effective`` on, matched and mismatched senders take these routes."""

    effective: datetime.date
    matched_route: RouteKind
    mismatched_route: RouteKind
    announced: datetime.date | None = None
    title: str = ""


ONE_DAY = datetime.timedelta(days=1)


class Timeline(StrEnum):
    """Where today stands against the service's dated changes."""

    NO_CHANGE = "no_change"  # the service has no dated change: the rules never changed
    IN_FORCE = "in_force"  # the change compared against has taken effect
    AHEAD = "ahead"  # every change is still to come: today's rules, then the first change


@dataclass(frozen=True)
class Periods:
    """The periods a check compares: ``before_day`` has the rules until ``change``, ``after_day``
    the rules from it. ``next_change`` is a later change still ahead of an in-force one."""

    timeline: Timeline
    change: PolicyChange | None
    next_change: PolicyChange | None
    before_day: datetime.date
    after_day: datetime.date


@dataclass(frozen=True)
class Service:
    name: str
    submission_host: str
    submission_port: int
    domains: tuple[str, ...]
    routes: tuple[Route, ...]
    changes: tuple[PolicyChange, ...] = ()
    # Before the first change every authenticated mail took this route.
    initial_route: RouteKind = RouteKind.LISTED
    # What mail programs are told to use (mailcheck/autoconfig/). An empty incoming host is the
    # submission host.
    submission_security: Security = DEFAULT_SECURITY
    incoming_protocol: IncomingProtocol = DEFAULT_INCOMING_PROTOCOL
    incoming_host: str = ""
    incoming_port: int = DEFAULT_INCOMING_PORT
    incoming_security: Security = DEFAULT_SECURITY
    received_auth_pattern: str = DEFAULT_RECEIVED_AUTH_PATTERN

    def route(self, kind: RouteKind) -> Route:
        for route in self.routes:
            if route.kind == kind:
                return route
        raise LookupError(f"the service has no {kind} route")

    def change_in_force(self, day: datetime.date) -> PolicyChange | None:
        in_force = [c for c in self.changes if c.effective <= day]
        return max(in_force, key=lambda c: c.effective) if in_force else None

    def route_for(self, *, matches: bool, day: datetime.date) -> Route:
        change = self.change_in_force(day)
        if change is None:
            return self.route(self.initial_route)
        return self.route(change.matched_route if matches else change.mismatched_route)

    def periods(self, today: datetime.date) -> Periods:
        """The two days a check compares, and which change (if any) separates them."""
        change = self.latest_change(today)
        if change is None:
            # Nothing ever changed: one period, today's rules. The day before is only there so
            # a report always has two outcomes; it has the same rules.
            return Periods(Timeline.NO_CHANGE, None, None, today - ONE_DAY, today)
        if change.effective > today:
            timeline = Timeline.AHEAD
            next_change = None
        else:
            timeline = Timeline.IN_FORCE
            ahead = [c for c in self.changes if c.effective > today]
            next_change = min(ahead, key=lambda c: c.effective) if ahead else None
        return Periods(timeline, change, next_change, change.effective - ONE_DAY, change.effective)

    def latest_change(self, today: datetime.date | None = None) -> PolicyChange | None:
        """The change to compare against: the newest one in force, else the next one due."""
        if not self.changes:
            return None
        if today is not None:
            current = self.change_in_force(today)
            if current is not None:
                return current
            return min(self.changes, key=lambda c: c.effective)
        return max(self.changes, key=lambda c: c.effective)

    def is_service_domain(self, domain: str) -> bool:
        return domain.lower() in self.domains

    @property
    def incoming_server(self) -> str:
        return self.incoming_host or self.submission_host


def service_from_document(data: Mapping[str, Any]) -> Service:
    """A Service from the configuration document that ``manage.py exportservice`` writes."""
    return Service(
        name=data["name"],
        submission_host=data["submission_host"],
        submission_port=int(data["submission_port"]),
        domains=tuple(data["domains"]),
        routes=tuple(
            Route(RouteKind(r["kind"]), tuple(r["addresses"]), r["helo"]) for r in data["routes"]
        ),
        changes=tuple(
            PolicyChange(
                effective=datetime.date.fromisoformat(c["effective"]),
                matched_route=RouteKind(c["matched_route"]),
                mismatched_route=RouteKind(c["mismatched_route"]),
                announced=(
                    datetime.date.fromisoformat(c["announced"]) if c.get("announced") else None
                ),
                title=c.get("title", ""),
            )
            for c in data["changes"]
        ),
        # Absent from exports written before mail programs were configured from them.
        submission_security=Security(data.get("submission_security") or DEFAULT_SECURITY),
        incoming_protocol=IncomingProtocol(
            data.get("incoming_protocol") or DEFAULT_INCOMING_PROTOCOL
        ),
        incoming_host=data.get("incoming_host") or "",
        incoming_port=int(data.get("incoming_port") or DEFAULT_INCOMING_PORT),
        incoming_security=Security(data.get("incoming_security") or DEFAULT_SECURITY),
        received_auth_pattern=data.get("received_auth_pattern", DEFAULT_RECEIVED_AUTH_PATTERN),
    )
