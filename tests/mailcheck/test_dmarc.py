import pytest
import spf as pyspf

from mailcheck.dmarc import (
    Alignment,
    DmarcPolicy,
    aligned,
    find_policy,
    organisational_domain,
    parse_record,
)
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
_dmarc.strictspf.example.       TXT "v=DMARC1; p=reject; aspf=s"
_dmarc.mixed.example.           TXT "v=spf1 -all"
_dmarc.mixed.example.           TXT "v=DMARC1; p=quarantine"
_dmarc.dept.org.example.        TXT "v=DMARC1; p=reject"
_dmarc.org.example.             TXT "v=DMARC1; p=none"
_dmarc.own.psd.example.         TXT "v=DMARC1; p=reject; psd=n"
_dmarc.psd.example.             TXT "v=DMARC1; p=reject"
_dmarc.suffix.example.          TXT "v=DMARC1; p=reject; psd=y"
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


def test_it_reads_the_spf_alignment_mode(lookup):
    assert find_policy("strictspf.example", lookup).spf_alignment is Alignment.STRICT
    assert find_policy("strict.example", lookup).spf_alignment is Alignment.RELAXED


def test_it_keeps_the_dmarc_record_among_other_txt_records(lookup):
    record = find_policy("mixed.example", lookup)
    assert record is not None
    assert record.text == "v=DMARC1; p=quarantine"


def test_a_trailing_dot_or_capitals_do_not_make_the_domain_a_sub_domain(lookup):
    assert find_policy("Parent.Example.", lookup).policy is DmarcPolicy.QUARANTINE


@pytest.mark.parametrize(
    ("domain", "organisation"),
    [
        # The record with the fewest labels marks where the organisation begins.
        ("a.dept.org.example", "org.example"),
        ("dept.org.example", "org.example"),
        # psd=n: the organisation says it begins here, whatever is above.
        ("mail.own.psd.example", "own.psd.example"),
        # psd=y: a public suffix; the organisation is the name just below it.
        ("a.b.shop.suffix.example", "shop.suffix.example"),
        # No record anywhere: the domain is its own organisation.
        ("a.nothing.example", "a.nothing.example"),
    ],
)
def test_it_finds_the_organisational_domain_by_the_tree_walk(lookup, domain, organisation):
    assert organisational_domain(domain, lookup) == organisation


@pytest.mark.parametrize(
    ("spf_domain", "from_domain", "mode", "expected"),
    [
        ("org.example", "org.example", Alignment.STRICT, True),
        ("Org.Example.", "org.example", Alignment.STRICT, True),
        ("dept.org.example", "org.example", Alignment.STRICT, False),
        ("dept.org.example", "org.example", Alignment.RELAXED, True),
        ("a.shop.suffix.example", "b.shop.suffix.example", Alignment.RELAXED, True),
        ("one.suffix.example", "two.suffix.example", Alignment.RELAXED, False),
        ("a.nothing.example", "nothing.example", Alignment.RELAXED, False),
    ],
)
def test_alignment_is_by_name_or_by_organisation(lookup, spf_domain, from_domain, mode, expected):
    assert aligned(spf_domain, from_domain, mode, lookup) is expected
