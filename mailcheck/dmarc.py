"""The sender domain's DMARC policy: how much a failed SPF check matters to recipients.

DMARC (RFC 7489) lets a domain tell recipients what to do with mail that neither SPF nor DKIM
authenticates in alignment with the header From. Mail clients normally put the same address in
the envelope From and the header From, so the SPF result of the envelope From is the aligned
one. A softfail then leaves only a DKIM signature between the mail and the policy: with
``p=quarantine`` or ``p=reject`` the mail is junked or refused where no such signature saves it.

The policy record is found by the tree walk of DMARCbis (draft-ietf-dmarc-dmarcbis §4.10):
``_dmarc`` at the domain, then at each parent, with no public suffix list to ship and update.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import spf as pyspf

from mailcheck.dns import DnsLookup

# DMARCbis §4.10.1: at most eight queries, the last of them at the domain's last eight labels.
MAX_WALK = 8


class DmarcPolicy(StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


@dataclass(frozen=True)
class DmarcRecord:
    domain: str  # where the record was found (the sender's domain or a parent)
    text: str
    policy: DmarcPolicy  # what applies to the sender's domain: sp= for a subdomain if given
    percent: int

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


def _txt(lookup: DnsLookup, name: str) -> list[str]:
    texts = []
    for (_name, qtype), value in lookup(name, "TXT"):
        if qtype == "TXT":
            texts.append(b"".join(value).decode("utf-8", "replace"))
    return texts


def find_policy(domain: str, lookup: DnsLookup) -> DmarcRecord | None:
    """The DMARC record that governs ``domain``, or None (also when DNS fails: DMARC is
    advice on top of the SPF verdict, never a reason to fail the check)."""
    labels = domain.rstrip(".").lower().split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if len(candidates) > MAX_WALK:
        candidates = [candidates[0], *candidates[-(MAX_WALK - 1) :]]
    for candidate in candidates:
        try:
            texts = _txt(lookup, f"_dmarc.{candidate}")
        except (pyspf.TempError, ValueError, UnicodeError):
            return None
        records = [tags for tags in map(parse_record, texts) if tags is not None]
        # RFC 7489 §6.6.3: more than one record means none applies at this name.
        if len(records) != 1:
            continue
        tags = records[0]
        policy = _policy(tags.get("p"))
        if policy is None:
            # §6.6.3: a record without a valid p= is treated as p=none when rua= is present.
            if "rua" not in tags:
                continue
            policy = DmarcPolicy.NONE
        if candidate != domain:
            policy = _policy(tags.get("sp")) or policy
        try:
            percent = max(0, min(100, int(tags.get("pct", "100"))))
        except ValueError:
            percent = 100
        return DmarcRecord(candidate, texts[0], policy, percent)
    return None
