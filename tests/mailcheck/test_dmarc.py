import pytest
import spf as pyspf

from mailcheck.dmarc import DmarcPolicy, find_policy, parse_record
from mailcheck.dns import ZoneResolver

ZONE = """
$TTL 300
_dmarc.strict.example.          TXT "v=DMARC1; p=reject"
_dmarc.parent.example.          TXT "v=DMARC1; p=quarantine; sp=reject"
_dmarc.nosub.example.           TXT "v=DMARC1; p=quarantine"
_dmarc.monitor.example.         TXT "v=DMARC1; p=none; rua=mailto:r@monitor.example"
_dmarc.zero.example.            TXT "v=DMARC1; p=reject; pct=0"
_dmarc.twice.example.           TXT "v=DMARC1; p=reject"
_dmarc.twice.example.           TXT "v=DMARC1; p=none"
_dmarc.notdmarc.example.        TXT "v=spf1 -all"
_dmarc.badpolicy.example.       TXT "v=DMARC1; p=maybe; rua=mailto:r@badpolicy.example"
_dmarc.badnorua.example.        TXT "v=DMARC1; p=maybe"
"""


@pytest.fixture
def lookup():
    return ZoneResolver.from_text(ZONE).session()


@pytest.mark.parametrize(
    ("domain", "found_at", "policy", "enforced"),
    [
        ("strict.example", "strict.example", DmarcPolicy.REJECT, True),
        ("mail.parent.example", "parent.example", DmarcPolicy.REJECT, True),
        ("parent.example", "parent.example", DmarcPolicy.QUARANTINE, True),
        ("a.b.nosub.example", "nosub.example", DmarcPolicy.QUARANTINE, True),
        ("monitor.example", "monitor.example", DmarcPolicy.NONE, False),
        ("zero.example", "zero.example", DmarcPolicy.REJECT, False),
        ("badpolicy.example", "badpolicy.example", DmarcPolicy.NONE, False),
    ],
)
def test_it_finds_the_policy_that_governs_the_domain(lookup, domain, found_at, policy, enforced):
    record = find_policy(domain, lookup)
    assert record is not None
    assert (record.domain, record.policy, record.enforced) == (found_at, policy, enforced)


@pytest.mark.parametrize(
    "domain", ["nothing.example", "twice.example", "notdmarc.example", "badnorua.example"]
)
def test_it_finds_no_policy_where_none_validly_applies(lookup, domain):
    assert find_policy(domain, lookup) is None


def test_it_gives_up_quietly_when_dns_fails():
    def failing(name, qtype, strict=True, timeout=30.0):
        raise pyspf.TempError("DNS timeout")

    assert find_policy("example.jp", failing) is None


def test_the_walk_stops_after_eight_queries():
    asked = []

    def counting(name, qtype, strict=True, timeout=30.0):
        asked.append(name)
        return []

    find_policy(".".join(f"l{i}" for i in range(12)) + ".example", counting)
    assert len(asked) == 8
    assert asked[0].startswith("_dmarc.l0.")


def test_parse_record_reads_tags_and_refuses_other_records():
    assert parse_record("v=DMARC1; p=reject; pct=50") == {"v": "DMARC1", "p": "reject", "pct": "50"}
    assert parse_record("v=spf1 -all") is None
