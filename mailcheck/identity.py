"""The customer's identity as typed: the SMTP AUTH account and the envelope From.

The service's login name is the mail address with ``@`` replaced by ``.``
(``iij-taro@iijmio-mail.jp`` logs in as ``iij-taro.iijmio-mail.jp``). Local parts may contain
dots, so an address is read out of an account by the longest service-domain suffix, never by
splitting at the first dot.

Everything here takes plain strings and returns frozen dataclasses: what was normalised, what is
wrong (as codes with the field they concern), and the parsed values.
"""

from __future__ import annotations

import ipaddress
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
    HEADER_FROM = "header_from"  # the From recipients see; read like the envelope From


class Change(StrEnum):
    """A normalisation that was applied because its meaning was unambiguous."""

    WIDTH = "width"  # full-width characters turned into their ASCII forms (NFKC)
    WHITESPACE = "whitespace"  # surrounding white space removed
    MAILTO = "mailto"  # a mailto: prefix removed
    ANGLE_BRACKETS = "angle_brackets"  # <address> or Name <address> reduced to the address
    CASE = "case"  # upper-case letters lowered where case carries no meaning
    TRAILING_DOT = "trailing_dot"  # a trailing dot removed from the domain
    IDN = "idn"  # an internationalised domain written as its A-labels (xn--)
    QUOTES = "quotes"  # quotes around a mailbox that needs none removed (RFC 5321 §4.1.2)


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
    BAD_A_LABEL = "bad_a_label"  # an xn-- label that is not valid IDNA (RFC 5890 §2.3.2.1)
    ADDRESS_LITERAL = "address_literal"  # an IP address where the domain goes (u@[192.0.2.1])
    QUOTED_MAILBOX = "quoted_mailbox"  # a mailbox that needs quotes, at a service domain
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
# RFC 5321 §4.1.2 Quoted-string before the @: qtextSMTP or a backslash quoted-pair, ASCII only.
_QUOTED_MAILBOX = re.compile(r'^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*)"(?=@)')
_QUOTED_PAIR = re.compile(r"\\(.)")
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
    # RFC 3696 §2: a top-level domain is never all-numeric (192.0.2.1 is an address).
    if (
        len(labels) < 2
        or not all(_LDH_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        rec.problem(ProblemCode.BAD_DOMAIN)
        return None
    if not all(_valid_a_label(label) for label in labels if label.startswith("xn--")):
        rec.problem(ProblemCode.BAD_A_LABEL)
        return None
    return domain


def _valid_a_label(label: str) -> bool:
    """An xn-- label is an A-label only if it decodes to a valid U-label that encodes back to
    the same text (RFC 5891 §5.4); ``xn--zz`` is not one, and no name server will have it."""
    try:
        return bool(idna.encode(idna.decode(label)).decode("ascii") == label)
    except (idna.IDNAError, UnicodeError):
        return False


def _is_address_literal(domain: str) -> bool:
    """``[192.0.2.1]``, ``[IPv6:2001:db8::1]`` (RFC 5321 §4.1.3) or a bare IP address."""
    if domain.startswith("[") and domain.endswith("]"):
        return True
    try:
        ipaddress.ip_address(domain.removesuffix("."))
    except ValueError:
        return False
    return True


def parse_domain(text: str) -> str | None:
    """A domain name as the service stores it (lower case, A-labels), or None if invalid."""
    return normalise_domain(unicodedata.normalize("NFKC", text).strip(), _Recorder(Field.MAIL_FROM))


def _check_mailbox(mailbox: str, rec: _Recorder, *, quoted: bool = False) -> bool:
    if len(mailbox.encode("utf-8", "surrogatepass")) > MAX_MAILBOX:
        rec.problem(ProblemCode.MAILBOX_TOO_LONG)
        return False
    if not quoted and not _DOT_ATOM.match(mailbox):
        rec.problem(ProblemCode.BAD_MAILBOX)
        return False
    return True


def parse_address(text: str, service_domains: Iterable[str] = ()) -> Parsed[Address]:
    """Read the envelope From a customer typed.

    Mailboxes of the service's own domains are lower-cased (the service's mailboxes are
    lower case); other mailboxes keep their case, as RFC 5321 leaves it to their owner.

    A quoted mailbox is read as RFC 5321 §4.1.2 says: ``"john"@example.jp`` is the mailbox
    ``john``, since quoting a dot-string changes nothing (the quotes are removed and the change
    reported). A mailbox that does need its quotes (``"john doe"@example.jp``) is a mailbox of
    its own, accepted and kept quoted for other domains, whose owners may have such mailboxes;
    at the service's domains it is refused, since the service's mailboxes are all dot-atoms and
    no mail client of a customer sends such an envelope From. A quoted mailbox holding an ``@``
    is refused: pyspf would split the address at that ``@`` and evaluate the wrong domain.
    An address literal (``u@[192.0.2.1]``) is refused: SPF has no domain to evaluate.
    """
    rec = _Recorder(Field.MAIL_FROM)
    text = _clean(text, rec)
    if text.lower().startswith("mailto:"):
        text = rec.step(Change.MAILTO, text, text[len("mailto:") :].strip())
    display = _DISPLAY_FORM.match(text)
    if display:
        text = rec.step(Change.ANGLE_BRACKETS, text, display.group(1).strip())
    quoted = _QUOTED_MAILBOX.match(text)
    # Inside quotes, spaces and @ belong to the mailbox; the checks below see the rest only.
    rest = text[quoted.end() :] if quoted else text
    if not _is_one_word(rest, rec):
        return rec.result(None)
    if "@" not in rest:
        rec.problem(ProblemCode.ADDRESS_NO_AT)
        return rec.result(None)
    if rest.count("@") > 1:
        rec.problem(ProblemCode.ADDRESS_MANY_AT)
        return rec.result(None)
    mailbox, _, domain_text = rest.partition("@")
    if quoted:
        mailbox = _QUOTED_PAIR.sub(r"\1", quoted.group(1))
    if not mailbox:
        rec.problem(ProblemCode.ADDRESS_NO_MAILBOX)
    if not domain_text:
        rec.problem(ProblemCode.ADDRESS_NO_DOMAIN)
    elif _is_address_literal(domain_text):
        rec.problem(ProblemCode.ADDRESS_LITERAL)
    if rec.problems:
        return rec.result(None)
    domain = normalise_domain(domain_text, rec)
    if domain is None:
        return rec.result(None)
    is_service = domain in {d.lower() for d in service_domains}
    if quoted and _DOT_ATOM.match(mailbox):
        mailbox = rec.step(Change.QUOTES, quoted.group(0), mailbox)
    elif quoted:
        if is_service or "@" in mailbox:
            rec.problem(ProblemCode.QUOTED_MAILBOX if is_service else ProblemCode.BAD_MAILBOX)
            return rec.result(None)
        mailbox = quoted.group(0)
    if not _check_mailbox(mailbox, rec, quoted=quoted is not None):
        return rec.result(None)
    if is_service:
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
