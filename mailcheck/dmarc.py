"""The sender domain's DMARC policy: how much a failed SPF check matters to recipients.

DMARC (RFC 7489) lets a domain tell recipients what to do with mail that neither SPF nor DKIM
authenticates in alignment with the header From. Mail clients normally put the same address in
the envelope From and the header From, so the SPF result of the envelope From is the aligned
one. A softfail then leaves only a DKIM signature between the mail and the policy: with
``p=quarantine`` or ``p=reject`` the mail is junked or refused where no such signature saves it.

The policy record is found by the tree walk of DMARCbis (draft-ietf-dmarc-dmarcbis §4.10):
``_dmarc`` at the domain, then at each parent, with no public suffix list to ship and update.
The same walk, asked another question, finds the organisational domain that relaxed alignment
compares (§4.10.2), so the two never disagree about where an organisation ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import spf as pyspf

from mailcheck.dns import DnsLookup, txt_records

# DMARCbis §4.10.1: at most eight queries, the last of them at the domain's last eight labels.
MAX_WALK = 8


class DmarcPolicy(StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


class Alignment(StrEnum):
    """How closely the SPF-authenticated domain must match the header From's (``aspf=``)."""

    RELAXED = "r"  # the same organisational domain (the default, RFC 7489 §6.3)
    STRICT = "s"  # exactly the same domain


@dataclass(frozen=True)
class DmarcRecord:
    domain: str  # where the record was found (the sender's domain or a parent)
    text: str
    policy: DmarcPolicy  # what applies to the sender's domain: sp= for a subdomain if given
    percent: int
    spf_alignment: Alignment = Alignment.RELAXED

    @property
    def enforced(self) -> bool:
        return self.policy is not DmarcPolicy.NONE and self.percent > 0


def parse_record(text: str) -> dict[str, str] | None:
    """The tags of a DMARC record, or None if the text is not one (RFC 7489 §6.4)."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags.setdefault(name.strip().lower(), value.strip())
    if tags.get("v") != "DMARC1":
        return None
    return tags


def _policy(value: str | None) -> DmarcPolicy | None:
    try:
        return DmarcPolicy((value or "").lower())
    except ValueError:
        return None


def _name(domain: str) -> str:
    return domain.rstrip(".").lower()


def _walk(domain: str, lookup: DnsLookup) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Each name of the tree walk that holds exactly one DMARC record, from ``domain`` up:
    the name, the record's text and its tags. DNS errors propagate to the caller."""
    labels = _name(domain).split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if len(candidates) > MAX_WALK:
        candidates = [candidates[0], *candidates[-(MAX_WALK - 1) :]]
    for candidate in candidates:
        found = [
            (text, tags)
            for text in txt_records(lookup, f"_dmarc.{candidate}")
            if (tags := parse_record(text)) is not None
        ]
        # RFC 7489 §6.6.3: more than one record means none applies at this name.
        if len(found) == 1:
            text, tags = found[0]
            yield candidate, text, tags


_DNS_ERRORS = (pyspf.TempError, ValueError, UnicodeError)


def find_policy(domain: str, lookup: DnsLookup) -> DmarcRecord | None:
    """The DMARC record that governs ``domain``, or None (also when DNS fails: DMARC is
    advice on top of the SPF verdict, never a reason to fail the check)."""
    try:
        for candidate, text, tags in _walk(domain, lookup):
            policy = _policy(tags.get("p"))
            if policy is None:
                # §6.6.3: a record without a valid p= is treated as p=none when rua= is present.
                if "rua" not in tags:
                    continue
                policy = DmarcPolicy.NONE
            if candidate != _name(domain):
                policy = _policy(tags.get("sp")) or policy
            try:
                percent = max(0, min(100, int(tags.get("pct", "100"))))
            except ValueError:
                percent = 100
            alignment = (
                Alignment.STRICT if tags.get("aspf", "").lower() == "s" else Alignment.RELAXED
            )
            return DmarcRecord(candidate, text, policy, percent, alignment)
    except _DNS_ERRORS:
        return None
    return None


def organisational_domain(domain: str, lookup: DnsLookup) -> str:
    """Where the organisation that owns ``domain`` begins (DMARCbis §4.10.2): the first name
    up the walk with ``psd=n``; the name just below one with ``psd=y``; else the name with the
    fewest labels that holds a DMARC record; else ``domain`` itself (also when DNS fails part
    way: what was found so far decides)."""
    start = _name(domain)
    topmost = start
    try:
        for candidate, _text, tags in _walk(start, lookup):
            psd = tags.get("psd", "").lower()
            if psd == "n":
                return candidate
            if psd == "y" and candidate != start:
                below = start.removesuffix("." + candidate).split(".")[-1]
                return f"{below}.{candidate}"
            topmost = candidate
    except _DNS_ERRORS:
        pass
    return topmost


def aligned(spf_domain: str, from_domain: str, mode: Alignment, lookup: DnsLookup) -> bool:
    """Whether an SPF pass for ``spf_domain`` counts for DMARC at ``from_domain`` (RFC 7489
    §3.1.2): the same name in strict mode, the same organisational domain in relaxed mode."""
    if _name(spf_domain) == _name(from_domain):
        return True
    if mode is Alignment.STRICT:
        return False
    return organisational_domain(spf_domain, lookup) == organisational_domain(from_domain, lookup)
