"""The customer's identity as typed: the SMTP AUTH account and the envelope From.

The service's login name is the mail address with ``@`` replaced by ``.``
(``iij-taro@iijmio-mail.jp`` logs in as ``iij-taro.iijmio-mail.jp``). Local parts may contain
dots, so an address is read out of an account by the longest service-domain suffix, never by
splitting at the first dot.

Everything here takes plain strings and returns frozen dataclasses: what was normalised, what is
wrong (as codes with the field they concern), and the parsed values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

import idna


class Field(StrEnum):
    ACCOUNT = "account"
    MAIL_FROM = "mail_from"


class Change(StrEnum):
    """A normalisation that was applied because its meaning was unambiguous."""

    WIDTH = "width"  # full-width characters turned into their ASCII forms (NFKC)
    WHITESPACE = "whitespace"  # surrounding white space removed
    MAILTO = "mailto"  # a mailto: prefix removed
    ANGLE_BRACKETS = "angle_brackets"  # <address> or Name <address> reduced to the address
    CASE = "case"  # upper-case letters lowered where case carries no meaning
    TRAILING_DOT = "trailing_dot"  # a trailing dot removed from the domain
    IDN = "idn"  # an internationalised domain written as its A-labels (xn--)


class ProblemCode(StrEnum):
    EMPTY = "empty"
    HAS_SPACE = "has_space"
    ACCOUNT_HAS_AT = "account_has_at"
    ACCOUNT_NO_DOMAIN = "account_no_domain"
    ACCOUNT_OUTSIDE_SERVICE = "account_outside_service"
    ACCOUNT_NO_MAILBOX = "account_no_mailbox"
    ADDRESS_NO_AT = "address_no_at"
    ADDRESS_MANY_AT = "address_many_at"
    ADDRESS_NO_MAILBOX = "address_no_mailbox"
    ADDRESS_NO_DOMAIN = "address_no_domain"
    BAD_MAILBOX = "bad_mailbox"
    BAD_DOMAIN = "bad_domain"
    MAILBOX_TOO_LONG = "mailbox_too_long"
    DOMAIN_TOO_LONG = "domain_too_long"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Normalisation:
    field: Field
    change: Change
    before: str
    after: str


@dataclass(frozen=True)
class Problem:
    field: Field
    code: ProblemCode
    # A corrected value when one can be offered (for ACCOUNT_HAS_AT, the account that goes
    # with the address typed), else "".
    suggestion: str = ""


@dataclass(frozen=True)
class Address:
    mailbox: str
    domain: str  # A-labels, lower case, no trailing dot

    @property
    def text(self) -> str:
        return f"{self.mailbox}@{self.domain}"

    @property
    def domain_unicode(self) -> str:
        try:
            return idna.decode(self.domain)
        except idna.IDNAError:
            return self.domain


@dataclass(frozen=True)
class Account:
    mailbox: str
    domain: str  # one of the service's domains

    @property
    def name(self) -> str:
        return f"{self.mailbox}.{self.domain}"

    @property
    def address(self) -> Address:
        return Address(self.mailbox, self.domain)


T = TypeVar("T")


@dataclass(frozen=True)
class Parsed(Generic[T]):
    value: T | None
    normalisations: tuple[Normalisation, ...]
    problems: tuple[Problem, ...]


class Match(StrEnum):
    SAME = "same"
    MAILBOX_DIFFERS = "mailbox_differs"
    DOMAIN_DIFFERS = "domain_differs"
    BOTH_DIFFER = "both_differ"


# RFC 5321 §4.5.3.1: a local part of at most 64 octets, a domain of at most 255 (253 in
# presentation form without the root dot), a path of at most 256 including the angle brackets.
MAX_MAILBOX = 64
MAX_DOMAIN = 253
MAX_ADDRESS = 254
# RFC 5322 §3.2.3 dot-atom text: what a mailbox may hold without quoting.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"^{_ATEXT}(?:\.{_ATEXT})*$")
_LDH_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_DISPLAY_FORM = re.compile(r"^[^<>]*<([^<>]*)>\s*$")
_SPACE = re.compile(r"\s")


class _Recorder:
    def __init__(self, field: Field) -> None:
        self.field = field
        self.normalisations: list[Normalisation] = []
        self.problems: list[Problem] = []

    def step(self, change: Change, before: str, after: str) -> str:
        if before != after:
            self.normalisations.append(Normalisation(self.field, change, before, after))
        return after

    def problem(self, code: ProblemCode, suggestion: str = "") -> None:
        self.problems.append(Problem(self.field, code, suggestion))

    def result(self, value: T | None) -> Parsed[T]:
        return Parsed(
            value if not self.problems else None,
            tuple(self.normalisations),
            tuple(self.problems),
        )


def _clean(text: str, rec: _Recorder) -> str:
    text = rec.step(Change.WIDTH, text, unicodedata.normalize("NFKC", text))
    # NFKC leaves some look-alikes that Japanese input methods produce for the hyphen and at sign.
    text = rec.step(Change.WIDTH, text, text.translate(_LOOKALIKES))
    return rec.step(Change.WHITESPACE, text, text.strip())


_LOOKALIKES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2212": "-", "\u30fc": "-"})


def _is_one_word(text: str, rec: _Recorder) -> bool:
    """Something was typed, and it holds no white space (neither field ever does)."""
    if not text:
        rec.problem(ProblemCode.EMPTY)
        return False
    if _SPACE.search(text):
        rec.problem(ProblemCode.HAS_SPACE)
        return False
    return True


def normalise_domain(text: str, rec: _Recorder) -> str | None:
    """Lower-case, strip one trailing dot and write IDN labels as A-labels; None if invalid."""
    domain = rec.step(Change.TRAILING_DOT, text, text[:-1] if text.endswith(".") else text)
    if not domain:
        return None
    if not domain.isascii():
        try:
            ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            rec.problem(ProblemCode.BAD_DOMAIN)
            return None
        domain = rec.step(Change.IDN, domain, ascii_domain)
    domain = rec.step(Change.CASE, domain, domain.lower())
    if len(domain) > MAX_DOMAIN:
        rec.problem(ProblemCode.DOMAIN_TOO_LONG)
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LDH_LABEL.match(label) for label in labels):
        rec.problem(ProblemCode.BAD_DOMAIN)
        return None
    return domain


def parse_domain(text: str) -> str | None:
    """A domain name as the service stores it (lower case, A-labels), or None if invalid."""
    return normalise_domain(unicodedata.normalize("NFKC", text).strip(), _Recorder(Field.MAIL_FROM))


def _check_mailbox(mailbox: str, rec: _Recorder) -> bool:
    if len(mailbox.encode("utf-8", "surrogatepass")) > MAX_MAILBOX:
        rec.problem(ProblemCode.MAILBOX_TOO_LONG)
        return False
    if not _DOT_ATOM.match(mailbox):
        rec.problem(ProblemCode.BAD_MAILBOX)
        return False
    return True


def parse_address(text: str, service_domains: Iterable[str] = ()) -> Parsed[Address]:
    """Read the envelope From a customer typed.

    Mailboxes of the service's own domains are lower-cased (the service's mailboxes are
    lower case); other mailboxes keep their case, as RFC 5321 leaves it to their owner.
    """
    rec = _Recorder(Field.MAIL_FROM)
    text = _clean(text, rec)
    if text.lower().startswith("mailto:"):
        text = rec.step(Change.MAILTO, text, text[len("mailto:") :].strip())
    display = _DISPLAY_FORM.match(text)
    if display:
        text = rec.step(Change.ANGLE_BRACKETS, text, display.group(1).strip())
    if not _is_one_word(text, rec):
        return rec.result(None)
    if "@" not in text:
        rec.problem(ProblemCode.ADDRESS_NO_AT)
        return rec.result(None)
    if text.count("@") > 1:
        rec.problem(ProblemCode.ADDRESS_MANY_AT)
        return rec.result(None)
    mailbox, _, domain_text = text.partition("@")
    if not mailbox:
        rec.problem(ProblemCode.ADDRESS_NO_MAILBOX)
    if not domain_text:
        rec.problem(ProblemCode.ADDRESS_NO_DOMAIN)
    if rec.problems:
        return rec.result(None)
    domain = normalise_domain(domain_text, rec)
    if domain is None or not _check_mailbox(mailbox, rec):
        return rec.result(None)
    if domain in {d.lower() for d in service_domains}:
        mailbox = rec.step(Change.CASE, mailbox, mailbox.lower())
    if len(mailbox) + 1 + len(domain) > MAX_ADDRESS:
        rec.problem(ProblemCode.TOO_LONG)
        return rec.result(None)
    return rec.result(Address(mailbox, domain))


def parse_account(text: str, service_domains: Iterable[str]) -> Parsed[Account]:
    """Read the SMTP AUTH account name a customer typed."""
    domains = sorted({d.lower() for d in service_domains}, key=len, reverse=True)
    rec = _Recorder(Field.ACCOUNT)
    text = _clean(text, rec)
    if not _is_one_word(text, rec):
        return rec.result(None)
    if "@" in text:
        # The mail client would send this to the server as it is and fail to log in, so it
        # is a problem to fix, not a typing slip to tidy silently.
        as_address = parse_address(text, domains).value
        suggestion = account_for(as_address).name if as_address else ""
        if as_address and as_address.domain not in domains:
            suggestion = ""
        rec.problem(ProblemCode.ACCOUNT_HAS_AT, suggestion)
        return rec.result(None)
    text = rec.step(Change.TRAILING_DOT, text, text[:-1] if text.endswith(".") else text)
    text = rec.step(Change.CASE, text, text.lower())
    if len(text) > MAX_MAILBOX + 1 + MAX_DOMAIN:
        rec.problem(ProblemCode.TOO_LONG)
        return rec.result(None)
    domain = next((d for d in domains if text.endswith("." + d) or text == d), None)
    if domain is None:
        rec.problem(
            ProblemCode.ACCOUNT_OUTSIDE_SERVICE if "." in text else ProblemCode.ACCOUNT_NO_DOMAIN
        )
        return rec.result(None)
    mailbox = text[: -len(domain) - 1] if text != domain else ""
    if not mailbox:
        rec.problem(ProblemCode.ACCOUNT_NO_MAILBOX)
        return rec.result(None)
    if not _check_mailbox(mailbox, rec):
        return rec.result(None)
    return rec.result(Account(mailbox, domain))


def account_for(address: Address) -> Account:
    """The account that logs in for this address: its ``@`` replaced by ``.``."""
    return Account(address.mailbox, address.domain)


def compare(account: Account, address: Address) -> Match:
    same_mailbox = account.mailbox == address.mailbox
    same_domain = account.domain == address.domain
    if same_mailbox and same_domain:
        return Match.SAME
    if same_domain:
        return Match.MAILBOX_DIFFERS
    if same_mailbox:
        return Match.DOMAIN_DIFFERS
    return Match.BOTH_DIFFER
