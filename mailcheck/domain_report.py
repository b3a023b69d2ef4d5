"""The domain owner's view in words: a lint of a domain's SPF record (mailcheck/spflint.py) and
the record to publish for our listed route, for the page and the command line alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mailcheck.dns import Resolver
from mailcheck.policy import RouteKind, Service
from mailcheck.spflint import (
    LOOKUP_LIMIT,
    VOID_LOOKUP_LIMIT,
    DomainReport,
    Problem,
    ProblemCode,
    Suggestion,
    SuggestionKind,
    lint_domain,
    suggest_record,
)

# What each problem means, then what to do about it. Placeholders: domain, term, count, limit.
PROBLEMS: dict[ProblemCode, tuple[Promise, Promise]] = {
    ProblemCode.NO_RECORD: (
        _(
            "%(domain)s publishes no SPF record, so receivers cannot tell which servers may "
            "send its mail."
        ),
        _(
            "Publish one TXT record starting with v=spf1 that lists every server sending mail "
            "for the domain."
        ),
    ),
    ProblemCode.MULTIPLE_RECORDS: (
        _(
            "%(domain)s publishes %(count)s SPF records. Only one is allowed, so receivers "
            "treat the domain's SPF as broken (permerror)."
        ),
        _("Merge them into one TXT record starting with v=spf1 and delete the others."),
    ),
    ProblemCode.SYNTAX: (
        _(
            "In the record of %(domain)s, “%(term)s” is not valid SPF, so receivers treat the "
            "whole record as broken (permerror)."
        ),
        _(
            "Correct or remove this part: check its spelling and the colon and value after "
            "its name."
        ),
    ),
    ProblemCode.TOO_MANY_LOOKUPS: (
        _(
            "Checking the record takes %(count)s DNS lookups, counting those inside includes. "
            "At most %(limit)s are allowed, so receivers give up with an error (permerror)."
        ),
        _(
            "Remove includes you no longer use, or replace an include with the ip4: and ip6: "
            "addresses of the servers it stands for."
        ),
    ),
    ProblemCode.TOO_MANY_VOID_LOOKUPS: (
        _(
            "%(count)s parts of the record find nothing in DNS. After %(limit)s, receivers "
            "give up with an error (permerror)."
        ),
        _("Remove the a, mx and exists parts whose names no longer exist or have no addresses."),
    ),
    ProblemCode.LOOP: (
        _(
            "“%(term)s” in the record of %(domain)s leads back to a record already being "
            "read, so the check never ends and receivers give up with an error."
        ),
        _("Remove the include or redirect that points back."),
    ),
    ProblemCode.PTR: (
        _(
            "The record of %(domain)s uses “%(term)s”. This mechanism is slow and unreliable, "
            "the SPF standard says not to use it, and some receivers ignore it."
        ),
        _("Replace it with ip4: and ip6: parts for the servers it is meant to cover."),
    ),
    ProblemCode.PASS_ALL: (
        _(
            "“%(term)s” lets every server on the internet pass for %(domain)s, including "
            "senders of forged mail."
        ),
        _("End the record with ~all, or with -all once every server of yours is listed."),
    ),
    ProblemCode.NEUTRAL_ALL: (
        _(
            "“%(term)s” says nothing about servers that are not listed, so forged mail from "
            "%(domain)s is not marked."
        ),
        _("End the record with ~all, or with -all once every server of yours is listed."),
    ),
    ProblemCode.TOO_LONG: (
        _(
            "The record of %(domain)s is %(count)s bytes long. Over %(limit)s bytes the DNS "
            "answer may not fit in one packet, and some receivers then cannot read it."
        ),
        _("Shorten it: write neighbouring addresses as one range, or remove unused parts."),
    ),
    ProblemCode.UNKNOWN_MODIFIER: (
        _(
            "“%(term)s” in the record of %(domain)s is not a setting receivers know; they "
            "ignore it. It is often a typing mistake."
        ),
        _("Correct its spelling (redirect= or exp=) or remove it."),
    ),
    ProblemCode.SPF_RR_TYPE: (
        _(
            "%(domain)s also publishes a record of the old SPF type. Receivers read only TXT "
            "records, and the two easily drift apart."
        ),
        _("Delete the SPF-type record and make changes in the TXT record only."),
    ),
    ProblemCode.INCLUDE_WITHOUT_RECORD: (
        _(
            "“%(term)s” in the record of %(domain)s points to a domain that publishes no SPF "
            "record, so receivers give up with an error (permerror)."
        ),
        _("Correct the domain name after it, or remove it."),
    ),
    ProblemCode.REDIRECT_WITH_ALL: (
        _(
            "The record of %(domain)s has both an all part and “%(term)s”. Receivers ignore "
            "the redirect when all is present."
        ),
        _("Keep one of them: remove all to use the other record, or remove the redirect."),
    ),
    ProblemCode.DNS_ERROR: (
        _(
            "A name server did not answer while %(domain)s was being checked, so this list "
            "may be incomplete."
        ),
        _("Try again in a few minutes. If it keeps happening, ask your DNS provider."),
    ),
}

SUGGESTIONS: dict[SuggestionKind, Promise] = {
    SuggestionKind.INCLUDE: _(
        "To let mail sent through our listed servers pass for %(domain)s, publish this record "
        "in place of the current one. It includes our own record, so it follows any change of "
        "our servers."
    ),
    SuggestionKind.ADDRESSES: _(
        "To let mail sent through our listed servers pass for %(domain)s, publish this record "
        "in place of the current one. It lists our servers' addresses as they are today."
    ),
    SuggestionKind.ALREADY_PASSES: _(
        "The record of %(domain)s already lets mail sent through our listed servers pass. "
        "There is nothing to add."
    ),
    SuggestionKind.FIX_FIRST: _(
        "Correct the problems above first: our servers added to a broken record would not "
        "pass either."
    ),
}

NO_RECORD_NOTE = _(
    "Add the servers of every other provider that sends mail for %(domain)s too, or their mail "
    "will be marked as not authorised."
)
# DOMAIN.md example 3: an address at the customer's own domain never matches an account of
# ours, so once mismatched mail takes the unlisted route the record cannot help it.
UNLISTED_NOTE = _(
    "Only mail whose mail address matches the account name it is sent with leaves through our "
    "listed servers. An address at %(domain)s matches no account of ours, so mail from it "
    "sent through our service leaves through servers that are in no SPF record and still "
    "fails. Send it through the mail provider of %(domain)s instead."
)
MISMATCH_NOTE = _(
    "This record helps only mail that leaves through our listed servers. Whether it does "
    "depends on our rules for mail whose mail address does not match the account name it is "
    "sent with: the check page tells you for your own settings."
)
LOOKUPS_TEXT = _("DNS lookups: %(count)s of %(limit)s")
VOID_LOOKUPS_TEXT = _("Lookups that found nothing: %(count)s of %(limit)s")


@dataclass(frozen=True)
class DomainView:
    """Everything the page and the command line show, built once."""

    report: DomainReport
    suggestion: Suggestion
    mismatched_unlisted: bool  # mismatched mail leaves through the unlisted route today
    service_domain: str

    def problems(self) -> list[dict[str, str]]:
        return [
            {"code": p.code.value, "message": message(p), "fix": fix(p), "term": p.term}
            for p in self.report.problems
        ]

    @property
    def state(self) -> str:
        """The summary's colour, named like the SPF results it resembles: broken records
        (permerror), no record (none), warnings only (softfail), or nothing to report (pass)."""
        if self.report.record is None and not self.report.problems[1:]:
            return "none"
        if not self.report.sound:
            return "permerror"
        return "softfail" if self.report.problems else "pass"

    @property
    def publish(self) -> bool:
        """Whether there is a changed record to publish."""
        return self.suggestion.kind in (SuggestionKind.INCLUDE, SuggestionKind.ADDRESSES)

    def suggestion_text(self) -> str:
        return str(SUGGESTIONS[self.suggestion.kind]) % {"domain": self.report.domain}

    def notes(self) -> list[str]:
        kind = self.suggestion.kind
        if kind not in (
            SuggestionKind.INCLUDE,
            SuggestionKind.ADDRESSES,
            SuggestionKind.ALREADY_PASSES,
        ):
            return []
        domain = {"domain": self.report.domain}
        notes = []
        if self.report.record is None:
            notes.append(str(NO_RECORD_NOTE) % domain)
        notes.append(str(UNLISTED_NOTE if self.mismatched_unlisted else MISMATCH_NOTE) % domain)
        return notes

    def lookups_text(self) -> str:
        return str(LOOKUPS_TEXT) % {"count": self.report.lookups, "limit": LOOKUP_LIMIT}

    def void_lookups_text(self) -> str:
        return str(VOID_LOOKUPS_TEXT) % {
            "count": self.report.void_lookups,
            "limit": VOID_LOOKUP_LIMIT,
        }

    def suggested_lookups_text(self) -> str:
        return str(LOOKUPS_TEXT) % {"count": self.suggestion.lookups, "limit": LOOKUP_LIMIT}

    def as_json(self) -> dict[str, Any]:
        s = self.suggestion
        return {
            "domain": self.report.domain,
            "record": self.report.record,
            "lookups": self.report.lookups,
            "lookup_limit": LOOKUP_LIMIT,
            "void_lookups": self.report.void_lookups,
            "void_lookup_limit": VOID_LOOKUP_LIMIT,
            "problems": self.problems(),
            "records": [
                {"domain": r.domain, "record": r.text, "via": r.via, "depth": r.depth}
                for r in self.report.records
            ],
            "suggested_record": s.record if self.publish else None,
            "suggestion": {
                "kind": s.kind.value,
                "record": s.record,
                "lookups": s.lookups,
                "added": list(s.added),
                "message": self.suggestion_text(),
                "notes": self.notes(),
            },
        }


def message(problem: Problem) -> str:
    return str(PROBLEMS[problem.code][0]) % _facts(problem)


def fix(problem: Problem) -> str:
    return str(PROBLEMS[problem.code][1]) % _facts(problem)


def _facts(problem: Problem) -> dict[str, object]:
    return {
        "domain": problem.domain,
        "term": problem.term,
        "count": problem.count,
        "limit": problem.limit,
    }


def domain_view(domain: str, service: Service, resolver: Resolver) -> DomainView:
    """Lint ``domain`` and work out the record for our listed route, within one DNS budget."""
    lookup = resolver.session(settings.MAILCHECK_DNS_BUDGET)
    report = lint_domain(domain, lookup)
    service_domain = main_domain(service)
    listed = service.route(RouteKind.LISTED)
    suggestion = suggest_record(report, listed.addresses, service_domain, lookup)
    mismatched = service.route_for(matches=False, day=timezone.localdate())
    return DomainView(report, suggestion, mismatched.kind is RouteKind.UNLISTED, service_domain)


def main_domain(service: Service) -> str:
    """The service domain to include: the one the submission server is named under (customers
    know it), else the first."""
    host = service.submission_host.lower()
    for domain in service.domains:
        if host == domain or host.endswith(f".{domain}"):
            return domain
    return service.domains[0]
