"""What a received test mail says about the customer's mail program: the pure part.

The portal receives the mail the customer's real mail program sent and grades it as a
recipient would: which of the service's outbound routes it came from (the client address
against ``Service.routes``), SPF of the envelope From at that address, DKIM signatures, DMARC
alignment of the visible From, and the outcome in the check's own words (``Delivery``). It also
reads what the service's submission server recorded (the account that logged in) and what the
mail program calls itself, and compares all of it with what the customer typed in a check.

No Django here: the grades are a frozen dataclass, and :func:`grades_to_json` /
:func:`grades_from_json` carry them to and from the database's JSON column.
"""

from __future__ import annotations

import datetime
import email.parser
import email.policy
import email.utils
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Final

import dkim  # type: ignore[import-untyped]
import spf as pyspf

from mailcheck.check import Delivery, Fix, FixKind, Report, delivery_for, run_check
from mailcheck.dmarc import aligned, find_policy
from mailcheck.dns import DnsLookup, Resolver, txt_records
from mailcheck.identity import account_for, parse_account, parse_address
from mailcheck.policy import Service
from mailcheck.spf import SpfResult, check_address

# What a recipient's server calls itself in the headers it would add.
DEFAULT_RECEIVER: Final = "mx.recipient.example"
# Texts kept from the message are cut to this length (a header can be long, the column not).
MAX_TEXT: Final = 300


class RouteGrade(StrEnum):
    LISTED = "listed"  # one of the service's SPF-listed outbound servers
    UNLISTED = "unlisted"  # one of its outbound servers outside the SPF record
    NOT_OURS = "not_ours"  # none of the service's outbound servers


class DkimResult(StrEnum):
    """RFC 8601 §2.7.1 result words for DKIM."""

    PASS = "pass"  # noqa: S105 - a DKIM result, not a password.
    FAIL = "fail"
    NONE = "none"  # not signed
    NEUTRAL = "neutral"  # signed, but could not be checked (the body was cut at the size cap)
    TEMPERROR = "temperror"  # the key could not be fetched


class DmarcResult(StrEnum):
    PASS = "pass"  # noqa: S105 - a DMARC result, not a password.
    FAIL = "fail"
    NONE = "none"  # the visible From's domain publishes no DMARC policy


@dataclass(frozen=True)
class Envelope:
    """The SMTP conversation: who connected (the real client behind a proxy), and what it said."""

    client_ip: str
    helo: str
    mail_from: str
    rcpt: str


@dataclass(frozen=True)
class Typed:
    """What the customer typed in the check the address was made from (all may be empty)."""

    account: str = ""
    mail_from: str = ""
    header_from: str = ""

    def __bool__(self) -> bool:
        return bool(self.account or self.mail_from or self.header_from)


@dataclass(frozen=True)
class Comparison:
    """One setting: what the customer typed and what the mail program actually sent."""

    field: str  # "account", "mail_from" or "header_from"
    typed: str
    sent: str
    same: bool


@dataclass(frozen=True)
class Grades:
    route: RouteGrade
    spf: SpfResult
    dkim: DkimResult
    dmarc: DmarcResult
    outcome: Delivery
    account: str | None  # the account the submission server says logged in, if it says
    mail_program: str
    header_from: str
    received_spf: str  # the header a recipient would add (RFC 7208 §9.1)
    authentication_results: str  # and this one (RFC 8601)
    dkim_domain: str = ""  # the d= of the signature that decided ``dkim``
    dmarc_policy: str = ""  # p= (or sp=) of the visible From's domain, "" without a record
    spf_aligned: bool = True
    truncated: bool = False  # the message was over the size cap: the body was not kept
    fixes: tuple[Fix, ...] = ()
    comparisons: tuple[Comparison, ...] = field(default=())

    @property
    def differs(self) -> bool:
        return any(not c.same for c in self.comparisons)


def route_of(service: Service, client_ip: str) -> RouteGrade:
    """Which of the service's outbound routes the client address belongs to."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return RouteGrade.NOT_OURS
    for route in service.routes:
        if any(ipaddress.ip_address(a) == address for a in route.addresses):
            return RouteGrade(route.kind.value)
    return RouteGrade.NOT_OURS


def split_message(raw: bytes) -> tuple[bytes, bytes]:
    """The header section (with its final blank line) and the body of a message."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = raw.partition(separator)
        if found:
            return head + separator, body
    return raw, b""


def parse_headers(head: bytes) -> email.message.Message:
    return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)


def _unfold(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def authenticated_account(headers: email.message.Message, pattern: str) -> str | None:
    """The account the service's submission server recorded in its Received header, read with
    the configured pattern (its group ``account``, else its first group)."""
    if not pattern:
        return None
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None
    for value in headers.get_all("Received") or []:
        found = compiled.search(_unfold(value))
        if found:
            groups = found.groupdict()
            account = groups.get("account") or (found.group(1) if compiled.groups else "")
            if account:
                return account.strip().lower()[:MAX_TEXT]
    return None


def mail_program(headers: email.message.Message) -> str:
    """What the mail program calls itself (X-Mailer, else User-Agent), or ""."""
    for name in ("X-Mailer", "User-Agent"):
        value = headers.get(name)
        if value:
            return _unfold(value)[:MAX_TEXT]
    return ""


def header_from_address(headers: email.message.Message) -> str:
    """The address of the visible From (without the display name), or ""."""
    value = headers.get("From")
    if not value:
        return ""
    _name, address = email.utils.parseaddr(_unfold(value))
    return address[:MAX_TEXT]


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().rstrip(".").lower()


def dns_for_dkim(lookup: DnsLookup) -> Any:
    """dkimpy's DNS function (``dnsfunc(name, timeout)`` → the TXT record's bytes or None),
    answered through the portal's own resolver, so test zones and the live cache both work."""

    def dnsfunc(name: bytes | str, timeout: float = 5) -> bytes | None:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        try:
            records = txt_records(lookup, text.rstrip("."))
        except pyspf.TempError as exc:
            raise dkim.DnsTimeoutError(str(exc)) from exc
        return records[0].encode("utf-8") if records else None

    return dnsfunc


def verify_dkim(
    message: bytes, lookup: DnsLookup, *, truncated: bool
) -> tuple[DkimResult, list[str]]:
    """The DKIM result and the d= domains of the signatures that verified."""
    head, _body = split_message(message)
    signatures = parse_headers(head).get_all("DKIM-Signature") or []
    if not signatures:
        return DkimResult.NONE, []
    if truncated:
        return DkimResult.NEUTRAL, []
    dnsfunc = dns_for_dkim(lookup)
    passed: list[str] = []
    temporary = False
    checker = dkim.DKIM(message)
    for index in range(len(signatures)):
        try:
            if checker.verify(idx=index, dnsfunc=dnsfunc):
                domain = checker.domain
                passed.append(domain.decode("ascii", "replace").lower() if domain else "")
        except dkim.DnsTimeoutError:
            temporary = True
        except dkim.DKIMException:
            continue
    if passed:
        return DkimResult.PASS, passed
    return (DkimResult.TEMPERROR if temporary else DkimResult.FAIL), []


def compare_typed(
    typed: Typed, account: str | None, envelope: Envelope, header_from: str, service: Service
) -> tuple[Comparison, ...]:
    """Each setting the customer typed, beside what the mail program sent."""
    found: list[Comparison] = []
    if typed.account and account:
        parsed = parse_account(typed.account, service.domains).value
        typed_text = parsed.name if parsed else typed.account.strip().lower()
        found.append(Comparison("account", typed.account, account, typed_text == account))
    if typed.mail_from:
        parsed_address = parse_address(typed.mail_from, service.domains).value
        typed_text = parsed_address.text if parsed_address else typed.mail_from.strip()
        sent = envelope.mail_from
        found.append(
            Comparison("mail_from", typed.mail_from, sent, typed_text.lower() == sent.lower())
        )
    typed_header = typed.header_from or typed.mail_from
    if typed.header_from and header_from:
        parsed_header = parse_address(typed_header, service.domains).value
        typed_text = parsed_header.text if parsed_header else typed_header.strip()
        found.append(
            Comparison(
                "header_from",
                typed.header_from,
                header_from,
                typed_text.lower() == header_from.lower(),
            )
        )
    return tuple(found)


def _fixes(
    route: RouteGrade,
    spf: SpfResult,
    account: str | None,
    envelope: Envelope,
    header_from: str,
    service: Service,
    resolver: Resolver,
    today: datetime.date | None,
    budget: float,
) -> tuple[Fix, ...]:
    """What to change: the check's own fixes for the values the mail program sent. Without an
    account in the headers, a service address that left through the unlisted route still gets
    the first fix: log in with the account of the address it sends from."""
    if spf is SpfResult.PASS or not envelope.mail_from:
        return ()
    if account:
        report = run_check(
            account,
            envelope.mail_from,
            service,
            resolver,
            today=today,
            budget=budget,
            header_from_text=header_from,
        )
        if isinstance(report, Report):
            return report.fixes
    address = parse_address(envelope.mail_from, service.domains).value
    if address is None:
        return ()
    if route is RouteGrade.UNLISTED and service.is_service_domain(address.domain):
        return (
            Fix(
                FixKind.USE_ADDRESS_ACCOUNT,
                account=account_for(address).name,
                mail_from=address.text,
            ),
        )
    if not service.is_service_domain(address.domain):
        return (Fix(FixKind.USE_OWN_PROVIDER, mail_from=address.text, domain=address.domain),)
    return ()


def grade(
    envelope: Envelope,
    message: bytes,
    service: Service,
    resolver: Resolver,
    *,
    received_auth_pattern: str,
    typed: Typed | None = None,
    truncated: bool = False,
    receiver: str = DEFAULT_RECEIVER,
    budget: float = 5.0,
    today: datetime.date | None = None,
) -> Grades:
    """Grade one received message. ``message`` is what was received (cut at the size cap when
    ``truncated``): its body is read for the DKIM body hash and nothing else."""
    head, _body = split_message(message)
    headers = parse_headers(head)
    route = route_of(service, envelope.client_ip)
    lookup = resolver.session(budget)
    verdict = check_address(
        envelope.client_ip, envelope.mail_from, envelope.helo, lookup, receiver=receiver
    )
    header_from = header_from_address(headers)
    # RFC 7489 §3.1: DMARC is about the visible From; without one, the envelope From stands in.
    from_domain = _domain(header_from or envelope.mail_from)
    spf_domain = _domain(envelope.mail_from) or envelope.helo.lower()
    dkim_result, dkim_domains = verify_dkim(message, lookup, truncated=truncated)
    dmarc = find_policy(from_domain, lookup) if from_domain else None
    mode = dmarc.spf_alignment if dmarc else None
    spf_aligned = dmarc is None or aligned(spf_domain, from_domain, dmarc.spf_alignment, lookup)
    dkim_aligned = [
        d
        for d in dkim_domains
        if dmarc is not None and mode is not None and aligned(d, from_domain, mode, lookup)
    ]
    if dmarc is None:
        dmarc_result = DmarcResult.NONE
    elif (verdict.result is SpfResult.PASS and spf_aligned) or dkim_aligned:
        dmarc_result = DmarcResult.PASS
    else:
        dmarc_result = DmarcResult.FAIL
    if dkim_aligned:
        # An aligned DKIM pass makes DMARC pass whatever SPF says (RFC 7489 §4.2).
        outcome = Delivery.DELIVERED
    else:
        outcome, _by_dmarc = delivery_for(verdict.result, dmarc, spf_aligned)
    account = authenticated_account(headers, received_auth_pattern)
    dkim_domain = (dkim_aligned or dkim_domains or [""])[0]
    authentication_results = "; ".join(
        [
            receiver,
            f"spf={verdict.result.value} smtp.mailfrom={spf_domain or '(none)'}",
            f"dkim={dkim_result.value}" + (f" header.d={dkim_domain}" if dkim_domain else ""),
            f"dmarc={dmarc_result.value} header.from={from_domain or '(none)'}",
        ]
    )
    return Grades(
        route=route,
        spf=verdict.result,
        dkim=dkim_result,
        dmarc=dmarc_result,
        outcome=outcome,
        account=account,
        mail_program=mail_program(headers),
        header_from=header_from,
        received_spf=verdict.received_spf,
        authentication_results=authentication_results,
        dkim_domain=dkim_domain,
        dmarc_policy=dmarc.policy.value if dmarc else "",
        spf_aligned=spf_aligned,
        truncated=truncated,
        fixes=_fixes(
            route,
            verdict.result,
            account,
            envelope,
            header_from,
            service,
            resolver,
            today,
            budget,
        ),
        comparisons=(
            compare_typed(typed, account, envelope, header_from, service) if typed else ()
        ),
    )


def grades_to_json(grades: Grades) -> dict[str, Any]:
    data = asdict(grades)
    data["fixes"] = [{**asdict(f), "kind": f.kind.value} for f in grades.fixes]
    for key in ("route", "spf", "dkim", "dmarc", "outcome"):
        data[key] = getattr(grades, key).value
    return data


def grades_from_json(data: Mapping[str, Any]) -> Grades:
    return Grades(
        route=RouteGrade(data["route"]),
        spf=SpfResult(data["spf"]),
        dkim=DkimResult(data["dkim"]),
        dmarc=DmarcResult(data["dmarc"]),
        outcome=Delivery(data["outcome"]),
        account=data.get("account"),
        mail_program=data.get("mail_program", ""),
        header_from=data.get("header_from", ""),
        received_spf=data.get("received_spf", ""),
        authentication_results=data.get("authentication_results", ""),
        dkim_domain=data.get("dkim_domain", ""),
        dmarc_policy=data.get("dmarc_policy", ""),
        spf_aligned=data.get("spf_aligned", True),
        truncated=data.get("truncated", False),
        fixes=tuple(
            Fix(
                FixKind(f["kind"]),
                f.get("account", ""),
                f.get("mail_from", ""),
                f.get("domain", ""),
            )
            for f in data.get("fixes", [])
        ),
        comparisons=tuple(Comparison(**c) for c in data.get("comparisons", [])),
    )
