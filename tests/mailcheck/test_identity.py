"""The customer's identity as typed: account name and envelope From (DOMAIN.md §1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailcheck import messages
from mailcheck.check import Rejected, run_check
from mailcheck.dns import ZoneResolver
from mailcheck.identity import (
    MAX_ADDRESS,
    MAX_DOMAIN,
    MAX_MAILBOX,
    Account,
    Address,
    Change,
    Field,
    Match,
    Normalisation,
    ProblemCode,
    account_for,
    compare,
    parse_account,
    parse_address,
    parse_domain,
)
from mailcheck.policy import service_from_document

SERVICE_JSON = Path(__file__).resolve().parents[2] / "mailcheck" / "demo" / "service.json"
DOMAINS = ("iijmio-mail.jp", "miomio.jp", "miobox.jp", "e23.jp", "x-il.jp")

# A 63-octet label, the longest DNS allows (RFC 1035 §2.3.4).
LABEL = "b" * 63


def _domain_of_length(length: int) -> str:
    """A valid domain name of exactly ``length`` characters, ending in .jp."""
    labels: list[str] = []
    remaining = length - len(".jp")
    while remaining > 0:
        size = min(63, remaining)
        labels.append("b" * size)
        remaining -= size + 1
    domain = ".".join(labels) + ".jp"
    # Fix an off-by-one from the dot bookkeeping by trimming the first label.
    extra = len(domain) - length
    if extra > 0:
        domain = domain[extra:]
    assert len(domain) == length
    return domain


# --- parse_address: accepted input and what was normalised -----------------------------------

ADDRESS_ACCEPTED = [
    # (typed, mailbox, domain, changes applied in order)
    ("iij-taro@iijmio-mail.jp", "iij-taro", "iijmio-mail.jp", []),
    (
        "ｉｉｊ－ｔａｒｏ＠ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ",
        "iij-taro",
        "iijmio-mail.jp",
        [Change.WIDTH],
    ),
    ("IIJ-Taro@IIJmio-Mail.JP", "iij-taro", "iijmio-mail.jp", [Change.CASE, Change.CASE]),
    ("  iij-taro@iijmio-mail.jp  ", "iij-taro", "iijmio-mail.jp", [Change.WHITESPACE]),
    (
        "\u3000iij-taro@iijmio-mail.jp\u3000",
        "iij-taro",
        "iijmio-mail.jp",
        [Change.WIDTH, Change.WHITESPACE],
    ),
    ("mailto:iij-taro@iijmio-mail.jp", "iij-taro", "iijmio-mail.jp", [Change.MAILTO]),
    ("MAILTO:iij-taro@iijmio-mail.jp", "iij-taro", "iijmio-mail.jp", [Change.MAILTO]),
    ("<iij-taro@iijmio-mail.jp>", "iij-taro", "iijmio-mail.jp", [Change.ANGLE_BRACKETS]),
    (
        "山田太郎 <iij-taro@iijmio-mail.jp>",
        "iij-taro",
        "iijmio-mail.jp",
        [Change.ANGLE_BRACKETS],
    ),
    (
        "mailto:Taro <iij-taro@iijmio-mail.jp>",
        "iij-taro",
        "iijmio-mail.jp",
        [Change.MAILTO, Change.ANGLE_BRACKETS],
    ),
    ("iij-taro@iijmio-mail.jp.", "iij-taro", "iijmio-mail.jp", [Change.TRAILING_DOT]),
    ("taro@例え.jp", "taro", "xn--r8jz45g.jp", [Change.IDN]),
    ("taro@XN--R8JZ45G.JP", "taro", "xn--r8jz45g.jp", [Change.CASE]),
    ("taro.yamada@iijmio-mail.jp", "taro.yamada", "iijmio-mail.jp", []),
    # Outside the service the mailbox keeps its case (RFC 5321 §2.4); the domain does not.
    ("Taro@Example.JP", "Taro", "example.jp", [Change.CASE]),
    ("a" * MAX_MAILBOX + "@example.jp", "a" * MAX_MAILBOX, "example.jp", []),
    # Quotes around a dot-string change nothing (RFC 5321 §4.1.2): removed, and said so.
    ('"john"@example.jp', "john", "example.jp", [Change.QUOTES]),
    ('"john.smith"@example.jp', "john.smith", "example.jp", [Change.QUOTES]),
    ('"\\j\\ohn"@example.jp', "john", "example.jp", [Change.QUOTES]),  # quoted-pairs
    ('"Taro"@iijmio-mail.jp', "taro", "iijmio-mail.jp", [Change.QUOTES, Change.CASE]),
    (
        '<"iij-taro"@iijmio-mail.jp>',
        "iij-taro",
        "iijmio-mail.jp",
        [Change.ANGLE_BRACKETS, Change.QUOTES],
    ),
    # A mailbox that needs its quotes is a mailbox of its own at other domains.
    ('"john doe"@example.jp', '"john doe"', "example.jp", []),
    ('"john..doe"@example.jp', '"john..doe"', "example.jp", []),
    ('"John Doe"@Example.JP', '"John Doe"', "example.jp", [Change.CASE]),
    # Valid A-labels pass as they are.
    ("taro@xn--r8jz45g.jp", "taro", "xn--r8jz45g.jp", []),
]


@pytest.mark.parametrize(("typed", "mailbox", "domain", "changes"), ADDRESS_ACCEPTED)
def test_it_reads_an_address_and_reports_each_normalisation(
    typed: str, mailbox: str, domain: str, changes: list[Change]
) -> None:
    parsed = parse_address(typed, DOMAINS)

    assert parsed.problems == ()
    assert parsed.value == Address(mailbox, domain)
    assert [n.change for n in parsed.normalisations] == changes
    assert all(n.field is Field.MAIL_FROM for n in parsed.normalisations)
    assert all(n.before != n.after for n in parsed.normalisations)


def test_it_reports_before_and_after_of_full_width_input() -> None:
    typed = "ｉｉｊ－ｔａｒｏ＠ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ"

    parsed = parse_address(typed, DOMAINS)

    assert parsed.normalisations == (
        Normalisation(Field.MAIL_FROM, Change.WIDTH, typed, "iij-taro@iijmio-mail.jp"),
    )


def test_it_reports_the_steps_of_a_capitalised_address_with_spaces_and_a_trailing_dot() -> None:
    parsed = parse_address("\u3000IIJ-Taro@IIJmio-Mail.JP. ", DOMAINS)

    assert parsed.value == Address("iij-taro", "iijmio-mail.jp")
    steps = [(n.change, n.before, n.after) for n in parsed.normalisations]
    assert steps == [
        (Change.WIDTH, "\u3000IIJ-Taro@IIJmio-Mail.JP. ", " IIJ-Taro@IIJmio-Mail.JP. "),
        (Change.WHITESPACE, " IIJ-Taro@IIJmio-Mail.JP. ", "IIJ-Taro@IIJmio-Mail.JP."),
        (Change.TRAILING_DOT, "IIJmio-Mail.JP.", "IIJmio-Mail.JP"),
        (Change.CASE, "IIJmio-Mail.JP", "iijmio-mail.jp"),
        (Change.CASE, "IIJ-Taro", "iij-taro"),
    ]


def test_it_writes_a_japanese_domain_in_its_dns_form_and_keeps_the_unicode_for_display() -> None:
    parsed = parse_address("taro@例え.jp", DOMAINS)

    assert parsed.value is not None
    assert parsed.value.text == "taro@xn--r8jz45g.jp"
    assert parsed.value.domain_unicode == "例え.jp"
    assert parsed.normalisations == (
        Normalisation(Field.MAIL_FROM, Change.IDN, "例え.jp", "xn--r8jz45g.jp"),
    )


# --- parse_address: refused input -------------------------------------------------------------

ADDRESS_REFUSED = [
    ("", ProblemCode.EMPTY),
    ("   ", ProblemCode.EMPTY),
    ("\u3000", ProblemCode.EMPTY),
    ("<>", ProblemCode.EMPTY),
    ("mailto:", ProblemCode.EMPTY),
    ("iij taro@iijmio-mail.jp", ProblemCode.HAS_SPACE),
    ("iij-taro\u3000@iijmio-mail.jp", ProblemCode.HAS_SPACE),
    ("iij-taro@iijmio mail.jp", ProblemCode.HAS_SPACE),
    ("iij-taro", ProblemCode.ADDRESS_NO_AT),
    ("iij-taro.iijmio-mail.jp", ProblemCode.ADDRESS_NO_AT),
    ("a@b@iijmio-mail.jp", ProblemCode.ADDRESS_MANY_AT),
    ("@iijmio-mail.jp", ProblemCode.ADDRESS_NO_MAILBOX),
    ("iij-taro@", ProblemCode.ADDRESS_NO_DOMAIN),
    ("iij..taro@iijmio-mail.jp", ProblemCode.BAD_MAILBOX),
    (".taro@iijmio-mail.jp", ProblemCode.BAD_MAILBOX),
    ("taro.@iijmio-mail.jp", ProblemCode.BAD_MAILBOX),
    # RFC 5321 §4.1.2 quoted strings: accepted where possible (see ADDRESS_ACCEPTED); refused
    # when the service's dot-atom mailboxes could never be one, or pyspf would misread them.
    ('"john doe"@iijmio-mail.jp', ProblemCode.QUOTED_MAILBOX),
    ('"iij..taro"@e23.jp', ProblemCode.QUOTED_MAILBOX),
    ('"a@b"@example.jp', ProblemCode.BAD_MAILBOX),
    ('""@example.jp', ProblemCode.ADDRESS_NO_MAILBOX),
    ('"unterminated@example.jp', ProblemCode.BAD_MAILBOX),
    ('"john" doe@example.jp', ProblemCode.HAS_SPACE),
    ('"' + "a " * 32 + '"@example.jp', ProblemCode.MAILBOX_TOO_LONG),
    ("太郎@iijmio-mail.jp", ProblemCode.BAD_MAILBOX),
    ("\x00@iijmio-mail.jp", ProblemCode.BAD_MAILBOX),
    # Lone surrogates (what Python makes of undecodable bytes on a command line).
    ("\udced\udca0@iijmio-mail.jp", ProblemCode.BAD_MAILBOX),
    ("taro@localhost", ProblemCode.BAD_DOMAIN),
    ("taro@-iijmio.jp", ProblemCode.BAD_DOMAIN),
    ("taro@iijmio-.jp", ProblemCode.BAD_DOMAIN),
    ("taro@iijmio_mail.jp", ProblemCode.BAD_DOMAIN),
    ("taro@iijmio-mail.jp..", ProblemCode.BAD_DOMAIN),
    ("taro@iijmio..jp", ProblemCode.BAD_DOMAIN),
    ("taro@" + "c" * 64 + ".jp", ProblemCode.BAD_DOMAIN),
    ("taro@\udcff.jp", ProblemCode.BAD_DOMAIN),
    # Address literals (RFC 5321 §4.1.3) and bare IP addresses: SPF needs a domain.
    ("u@192.0.2.1", ProblemCode.ADDRESS_LITERAL),
    ("u@192.0.2.1.", ProblemCode.ADDRESS_LITERAL),
    ("u@[192.0.2.1]", ProblemCode.ADDRESS_LITERAL),
    ("u@[IPv6:2001:db8::1]", ProblemCode.ADDRESS_LITERAL),
    ("u@［192.0.2.1］", ProblemCode.ADDRESS_LITERAL),  # full-width brackets
    ("<u@[192.0.2.1]>", ProblemCode.ADDRESS_LITERAL),
    # xn-- labels that are not A-labels (RFC 5891 §5.4): no name server has such a name.
    ("u@xn--zz.jp", ProblemCode.BAD_A_LABEL),
    ("u@xn--a.jp", ProblemCode.BAD_A_LABEL),
    ("u@mail.xn--a-ecp.jp", ProblemCode.BAD_A_LABEL),
    ("u@example.xn--zz", ProblemCode.BAD_A_LABEL),
    # RFC 5321 §4.5.3.1: 64-octet local part, 253-character domain, 254-character address.
    ("a" * (MAX_MAILBOX + 1) + "@example.jp", ProblemCode.MAILBOX_TOO_LONG),
    ("é" * 33 + "@example.jp", ProblemCode.MAILBOX_TOO_LONG),  # 66 octets in UTF-8
    ("a@" + _domain_of_length(MAX_DOMAIN + 1), ProblemCode.DOMAIN_TOO_LONG),
    (
        "a" * 64 + "@" + _domain_of_length(MAX_ADDRESS - 64),
        ProblemCode.TOO_LONG,
    ),
]


@pytest.mark.parametrize(("typed", "code"), ADDRESS_REFUSED)
def test_it_refuses_an_address_with_a_problem_on_the_mail_from_field(
    typed: str, code: ProblemCode
) -> None:
    parsed = parse_address(typed, DOMAINS)

    assert parsed.value is None
    assert [(p.field, p.code) for p in parsed.problems] == [(Field.MAIL_FROM, code)]


@pytest.mark.parametrize(
    ("mailbox_length", "domain_length", "accepted"),
    [
        (64, MAX_ADDRESS - 64 - 1, True),  # exactly 254
        (64, MAX_ADDRESS - 64, False),  # 255
        (1, MAX_DOMAIN - 2, True),  # a 251-character domain still fits in 254
    ],
)
def test_it_accepts_an_address_up_to_254_characters(
    mailbox_length: int, domain_length: int, accepted: bool
) -> None:
    typed = "a" * mailbox_length + "@" + _domain_of_length(domain_length)

    parsed = parse_address(typed, DOMAINS)

    assert (parsed.value is not None) is accepted
    if accepted:
        assert parsed.value is not None
        assert len(parsed.value.text) <= MAX_ADDRESS


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("example.jp", "example.jp"),
        ("ＥＸＡＭＰＬＥ．ＪＰ", "example.jp"),
        (" Example.JP. ", "example.jp"),
        ("例え.jp", "xn--r8jz45g.jp"),
        (_domain_of_length(MAX_DOMAIN), _domain_of_length(MAX_DOMAIN)),
        (_domain_of_length(MAX_DOMAIN + 1), None),
        ("localhost", None),
        ("bad_domain.jp", None),
        ("", None),
        ("xn--zz.jp", None),
        ("192.0.2.1", None),
    ],
)
def test_it_normalises_a_domain_or_refuses_it(typed: str, expected: str | None) -> None:
    assert parse_domain(typed) == expected


# --- parse_account ---------------------------------------------------------------------------

ACCOUNT_ACCEPTED = [
    # (typed, mailbox, domain, changes)
    ("iij-taro.iijmio-mail.jp", "iij-taro", "iijmio-mail.jp", []),
    (
        "ｉｉｊ－ｔａｒｏ．ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ",
        "iij-taro",
        "iijmio-mail.jp",
        [Change.WIDTH],
    ),
    ("IIJ-Taro.IIJmio-Mail.JP", "iij-taro", "iijmio-mail.jp", [Change.CASE]),
    (" iij-taro.iijmio-mail.jp\t", "iij-taro", "iijmio-mail.jp", [Change.WHITESPACE]),
    (
        "\u3000iij-taro.iijmio-mail.jp\u3000",
        "iij-taro",
        "iijmio-mail.jp",
        [Change.WIDTH, Change.WHITESPACE],
    ),
    ("iij-taro.iijmio-mail.jp.", "iij-taro", "iijmio-mail.jp", [Change.TRAILING_DOT]),
    # Never split at the first dot: the mailbox may hold dots of its own.
    ("taro.yamada.iijmio-mail.jp", "taro.yamada", "iijmio-mail.jp", []),
    ("a.b.c.e23.jp", "a.b.c", "e23.jp", []),
    ("iij-taro.x-il.jp", "iij-taro", "x-il.jp", []),
    ("a" * MAX_MAILBOX + ".miomio.jp", "a" * MAX_MAILBOX, "miomio.jp", []),
]


@pytest.mark.parametrize(("typed", "mailbox", "domain", "changes"), ACCOUNT_ACCEPTED)
def test_it_reads_an_account_and_reports_each_normalisation(
    typed: str, mailbox: str, domain: str, changes: list[Change]
) -> None:
    parsed = parse_account(typed, DOMAINS)

    assert parsed.problems == ()
    assert parsed.value == Account(mailbox, domain)
    assert [n.change for n in parsed.normalisations] == changes
    assert all(n.field is Field.ACCOUNT for n in parsed.normalisations)


def test_it_reports_before_and_after_of_a_capitalised_account_with_a_trailing_dot() -> None:
    parsed = parse_account("IIJ-Taro.IIJmio-mail.jp.", DOMAINS)

    assert parsed.normalisations == (
        Normalisation(
            Field.ACCOUNT,
            Change.TRAILING_DOT,
            "IIJ-Taro.IIJmio-mail.jp.",
            "IIJ-Taro.IIJmio-mail.jp",
        ),
        Normalisation(
            Field.ACCOUNT, Change.CASE, "IIJ-Taro.IIJmio-mail.jp", "iij-taro.iijmio-mail.jp"
        ),
    )


@pytest.mark.parametrize(
    ("domains", "typed", "mailbox", "domain"),
    [
        (("mail.jp", "x.mail.jp"), "taro.x.mail.jp", "taro", "x.mail.jp"),
        (("x.mail.jp", "mail.jp"), "taro.x.mail.jp", "taro", "x.mail.jp"),
        (("mail.jp", "x.mail.jp"), "taro.y.mail.jp", "taro.y", "mail.jp"),
        (("mail.jp", "x.mail.jp"), "x.mail.jp.mail.jp", "x.mail.jp", "mail.jp"),
        (("Mail.JP", "X.Mail.JP"), "taro.x.mail.jp", "taro", "x.mail.jp"),
    ],
)
def test_the_longest_service_domain_suffix_wins(
    domains: tuple[str, ...], typed: str, mailbox: str, domain: str
) -> None:
    assert parse_account(typed, domains).value == Account(mailbox, domain)


ACCOUNT_REFUSED = [
    # (typed, code, suggestion)
    ("", ProblemCode.EMPTY, ""),
    ("  ", ProblemCode.EMPTY, ""),
    ("\u3000", ProblemCode.EMPTY, ""),
    ("iij taro.iijmio-mail.jp", ProblemCode.HAS_SPACE, ""),
    ("iij-taro.iijmio\u3000mail.jp", ProblemCode.HAS_SPACE, ""),
    ("iij-taro@iijmio-mail.jp", ProblemCode.ACCOUNT_HAS_AT, "iij-taro.iijmio-mail.jp"),
    ("IIJ-Taro@IIJmio-Mail.JP", ProblemCode.ACCOUNT_HAS_AT, "iij-taro.iijmio-mail.jp"),
    ("ｉｉｊ－ｔａｒｏ＠ｅ２３．ｊｐ", ProblemCode.ACCOUNT_HAS_AT, "iij-taro.e23.jp"),
    ("taro.yamada@iijmio-mail.jp", ProblemCode.ACCOUNT_HAS_AT, "taro.yamada.iijmio-mail.jp"),
    # No suggestion for an address the service cannot log in as.
    ("taro@example.jp", ProblemCode.ACCOUNT_HAS_AT, ""),
    ("a@b@iijmio-mail.jp", ProblemCode.ACCOUNT_HAS_AT, ""),
    ("iij-taro", ProblemCode.ACCOUNT_NO_DOMAIN, ""),
    ("ｉｉｊ－ｔａｒｏ", ProblemCode.ACCOUNT_NO_DOMAIN, ""),
    ("taro.gmail.com", ProblemCode.ACCOUNT_OUTSIDE_SERVICE, ""),
    ("taro.example.jp", ProblemCode.ACCOUNT_OUTSIDE_SERVICE, ""),
    # A suffix that only looks like a service domain does not count.
    ("taro.notiijmio-mail.jp", ProblemCode.ACCOUNT_OUTSIDE_SERVICE, ""),
    ("iijmio-mail.jp", ProblemCode.ACCOUNT_NO_MAILBOX, ""),
    (".iijmio-mail.jp", ProblemCode.ACCOUNT_NO_MAILBOX, ""),
    ("taro..iijmio-mail.jp", ProblemCode.BAD_MAILBOX, ""),
    ("<iij-taro>.iijmio-mail.jp", ProblemCode.BAD_MAILBOX, ""),
    ("\x00.iijmio-mail.jp", ProblemCode.BAD_MAILBOX, ""),
    ("\udced\udca0.iijmio-mail.jp", ProblemCode.BAD_MAILBOX, ""),
    ("a" * (MAX_MAILBOX + 1) + ".iijmio-mail.jp", ProblemCode.MAILBOX_TOO_LONG, ""),
    ("a" * 10_000, ProblemCode.TOO_LONG, ""),
]


@pytest.mark.parametrize(("typed", "code", "suggestion"), ACCOUNT_REFUSED)
def test_it_refuses_an_account_with_a_problem_on_the_account_field(
    typed: str, code: ProblemCode, suggestion: str
) -> None:
    parsed = parse_account(typed, DOMAINS)

    assert parsed.value is None
    assert [(p.field, p.code, p.suggestion) for p in parsed.problems] == [
        (Field.ACCOUNT, code, suggestion)
    ]


# --- account_for and compare -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "account_name"),
    [
        (Address("iij-taro", "iijmio-mail.jp"), "iij-taro.iijmio-mail.jp"),
        (Address("taro.yamada", "iijmio-mail.jp"), "taro.yamada.iijmio-mail.jp"),
        (Address("iij-jiro", "e23.jp"), "iij-jiro.e23.jp"),
    ],
)
def test_the_account_of_an_address_replaces_its_at_with_a_dot(
    address: Address, account_name: str
) -> None:
    account = account_for(address)

    assert account.name == account_name
    assert account.address == address


@pytest.mark.parametrize("address", ["iij-taro@iijmio-mail.jp", "taro.yamada@miobox.jp"])
def test_an_account_computed_from_an_address_reads_back_as_that_address(address: str) -> None:
    parsed_address = parse_address(address, DOMAINS).value
    assert parsed_address is not None

    account = parse_account(account_for(parsed_address).name, DOMAINS).value

    assert account is not None
    assert account.address == parsed_address


@pytest.mark.parametrize(
    ("account", "address", "match"),
    [
        ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", Match.SAME),
        ("iij-taro.iijmio-mail.jp", "IIJ-Taro@IIJmio-Mail.jp", Match.SAME),
        ("ｉｉｊ－ｔａｒｏ．ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ", "<iij-taro@iijmio-mail.jp>", Match.SAME),
        ("taro.yamada.iijmio-mail.jp", "taro.yamada@iijmio-mail.jp", Match.SAME),
        ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", Match.MAILBOX_DIFFERS),
        ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp", Match.DOMAIN_DIFFERS),
        ("iiij-taro.iijmio-mail.jp", "example@example.jp", Match.BOTH_DIFFER),
        # Same mailbox on a domain outside the service: only the domain differs.
        ("iij-taro.iijmio-mail.jp", "iij-taro@example.jp", Match.DOMAIN_DIFFERS),
    ],
)
def test_it_compares_account_and_envelope_from_by_mailbox_and_domain(
    account: str, address: str, match: Match
) -> None:
    parsed_account = parse_account(account, DOMAINS).value
    parsed_address = parse_address(address, DOMAINS).value
    assert parsed_account is not None
    assert parsed_address is not None

    assert compare(parsed_account, parsed_address) is match


# --- Every code has its words; both fields in one round ----------------------------------------


@pytest.mark.parametrize("code", list(ProblemCode))
def test_every_problem_code_has_a_message(code: ProblemCode) -> None:
    assert code in messages.PROBLEMS or all(
        (code, field) in messages.FIELD_PROBLEMS for field in Field
    )


@pytest.mark.parametrize("change", list(Change))
def test_every_normalisation_has_a_description(change: Change) -> None:
    assert str(messages.CHANGES[change]).strip()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("u@192.0.2.1", ProblemCode.ADDRESS_LITERAL),
        ("u@xn--zz.jp", ProblemCode.BAD_A_LABEL),
        ('"john doe"@iijmio-mail.jp', ProblemCode.QUOTED_MAILBOX),
    ],
)
def test_a_601_character_account_does_not_hide_the_address_problem(
    typed: str, code: ProblemCode
) -> None:
    service = service_from_document(json.loads(SERVICE_JSON.read_text(encoding="utf-8")))

    outcome = run_check("x" * 601, typed, service, ZoneResolver.from_text(""))

    assert isinstance(outcome, Rejected)
    assert [(p.field, p.code) for p in outcome.problems] == [
        (Field.ACCOUNT, ProblemCode.TOO_LONG),
        (Field.MAIL_FROM, code),
    ]
