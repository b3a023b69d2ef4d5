"""The API's request and answer documents. The OpenAPI document is derived from these types.

The answer is the command line's ``--json`` document (mailcheck.presenters.report_json); the
types below describe every part of it, with the enumerations taken from the core, so the
document says exactly which codes may appear. Answers may gain fields over time
(``extra="allow"``): a client should ignore what it does not know.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field

from mailcheck.check import Delivery, Finding, FixKind
from mailcheck.dmarc import Alignment, DmarcPolicy
from mailcheck.identity import Change, Match
from mailcheck.identity import Field as InputField
from mailcheck.policy import RouteKind
from mailcheck.spf import SpfResult

# Longer than any valid account or address (mailcheck.forms.MAX_INPUT is the page's limit).
MAX_INPUT = 1000


class Answer(Schema):
    model_config = ConfigDict(extra="allow")


class CheckRequest(Schema):
    """Strict: a number is not a string, "yes" is not true, and an unknown key is refused (a
    misspelt ``mailfrom`` would otherwise be ignored)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    account: str = Field(
        max_length=MAX_INPUT,
        description="The SMTP AUTH account name the mail program logs in with.",
        examples=["iij-taro.iijmio-mail.jp"],
    )
    mail_from: str = Field(
        max_length=MAX_INPUT,
        description="The envelope From: the mail address set in the mail program.",
        examples=["iij-jiro@iijmio-mail.jp"],
    )
    header_from: str = Field(
        "",
        max_length=MAX_INPUT,
        description=(
            "The From address recipients see, when it differs from the envelope From; its "
            "domain's DMARC policy decides what happens to the mail. Empty: the envelope From."
        ),
    )
    save: bool = Field(
        False,
        description=(
            "Also save the result for support: the answer then has `code` and `url`, and the "
            "result is kept for SAVED_RESULT_DAYS days."
        ),
    )


class SpfRecord(Answer):
    domain: str
    text: str
    via: str = Field(description="How the record was reached: top, include or redirect.")
    depth: int
    parent: int | None = Field(description="Index of the record that included this one.")


class DnsQuery(Answer):
    name: str
    type: str
    answer: list[str]
    outcome: str
    ms: float
    cached: bool | None


class AddressDetail(Answer):
    ip: str
    spf: SpfResult
    mechanism: str
    explanation: str
    lookups: int
    lookups_limit: int
    void_lookups: int
    void_lookups_limit: int
    received_spf: str
    authentication_results: str
    records: list[SpfRecord]
    queries: list[DnsQuery]


class Period(Answer):
    """The mail's route and the recipient's verdict on one day (before or after the change)."""

    date: str = Field(description="The day evaluated, ISO 8601.", examples=["2014-03-25"])
    route: RouteKind
    helo: str
    spf: SpfResult
    outcome: Delivery = Field(description="What happens to the mail.")
    by_dmarc: bool
    consistent: bool = Field(description="Every address of the route gets the same verdict.")
    ips: dict[str, SpfResult] = Field(description="Each server address and its SPF result.")
    details: list[AddressDetail]


class FixSchema(Answer):
    kind: FixKind
    account: str
    mail_from: str
    domain: str


class NormalisationSchema(Answer):
    field: InputField
    change: Change
    before: str
    after: str


class DmarcSchema(Answer):
    domain: str
    policy: DmarcPolicy
    percent: int
    spf_alignment: Alignment
    record: str


class CheckResult(Answer):
    """A check's result: the same document as ``manage.py mailcheck --json``."""

    account: str
    mail_from: str
    header_from: str
    spf_aligned: bool
    matches: bool
    match: Match
    change_date: str | None
    before: Period
    after: Period
    findings: list[Finding]
    fixes: list[FixSchema]
    normalisations: list[NormalisationSchema]
    dns_source: str = Field(description="zone (answered from a zone file) or live.")
    dmarc: DmarcSchema | None


class CheckAnswer(CheckResult):
    code: str | None = Field(
        None, description='With "save": the code to give to support, such as K7MX-4QPA.'
    )
    url: str | None = Field(None, description='With "save": the saved result\'s page.')


class SavedResultAnswer(CheckResult):
    code: str
    url: str
    checked_at: str = Field(description="When the check ran, ISO 8601 with the time zone.")
    expires: str = Field(description="Until when the result is kept, ISO 8601.")


class Error(Schema):
    field: str = Field(
        description="The input concerned: a field of the request, or body, file, id, code, "
        "authorization, request."
    )
    code: str
    message: str
    suggestion: str | None = None


class Errors(Schema):
    errors: list[Error]
