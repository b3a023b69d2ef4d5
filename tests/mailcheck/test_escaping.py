"""Every value the result page echoes is escaped: what the customer typed, and what the DNS
(a domain owner's text) answered.

Three hostile checks feed tagged markup (``<x-…>``) through every channel that reaches the page:
the mail address and the visible From (quoted local parts are valid addresses), an SPF record
that is broken (the error names the term), one whose deciding term and TXT answer carry markup,
and input the form refuses (echoed back in its fields). The page must show each tag escaped and
none raw.

The second test checks the first: it marks each value the result templates print as safe, one
at a time, and the hostile checks must then show a raw tag. A value they cannot catch that way
is one they never feed markup to; it must be listed in NOT_TEXT with the reason it cannot carry
any, so a new echoed value is either covered or argued for.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings

from tests.dnsserver import DEMO_ZONE

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = ROOT / "templates"

HOSTILE_ZONE = """
broken.example.         TXT "v=spf1 foo:<x-spf-error> ~all"
tagged.example.         TXT ( "v=spf1 include:inc.tagged.example "
                              "exists:<x-mechanism>.tagged.example ~all x=<x-record>" )
inc.tagged.example.     TXT "v=spf1 ip4:203.0.113.99 x=<x-included> -all"
<x-mechanism>.tagged.example. A 127.0.0.2
strict.example.         TXT "v=spf1 -all"
_dmarc.strict.example.  TXT "v=DMARC1; p=reject"
"""

ACCOUNT = "iij-taro.iijmio-mail.jp"
CHECKS = {
    # A broken record (permerror: the fix, the error's words, the trace) and a visible From
    # at a p=reject domain that does not align (the DMARC findings name it).
    "broken": {
        "account": ACCOUNT,
        "mail_from": '"<x-local>"@broken.example',
        "header_from": '"<x-visible>"@strict.example',
        "trace": "1",
    },
    # A record whose deciding term, TXT answer and included record carry markup.
    "tagged": {"account": ACCOUNT, "mail_from": '"<x-tagged>"@tagged.example', "trace": "1"},
    # A Japanese domain: the address is shown in its DNS form and as typed.
    "unicode": {"account": ACCOUNT, "mail_from": '"<x-unicode>"@例え.example'},
    # Input the form refuses: echoed in its fields and its error summary.
    "refused": {
        "account": "<x-account>",
        "mail_from": "<x-mail-from>",
        "header_from": "<x-header-from>",
    },
}
TAGS = {
    "broken": ["x-local", "x-visible", "x-spf-error"],
    "tagged": ["x-tagged", "x-mechanism", "x-record", "x-included"],
    "unicode": ["x-unicode"],
    "refused": ["x-account", "x-mail-from", "x-header-from"],
}
RAW = re.compile(r"<x-[a-z-]+>")

# The printed values the hostile checks cannot fill with markup, and why none can carry any.
NOT_TEXT = {
    # Codes and numbers of our own making: result, route and outcome codes, counts, times.
    "a.family",
    "a.lookups",
    "a.lookups_limit",
    "a.void_lookups",
    "a.void_lookups_limit",
    "a.result",
    "q.ms|floatformat:2",
    "q.type",
    "period.key",
    "period.result",
    "period.route_kind",
    "report.after.result",
    "report.headline.delivery",
    "report.headline.later_delivery",
    "fix.kind",
    "finding.code",
    "forloop.counter",
    "id",
    # Our own sentences and labels, from the catalogue and the configuration's dates.
    "report.headline.text",
    "report.headline.later",
    "note",
    "period.heading",
    "period.result_label",
    "period.result_meaning",
    "period.route_label",
    "report.summary",
    "report.timeline_summary",
    "report.next_change",
    "report.no_fix",
    "report.signature_note",
    "text",  # a normalisation: field name, change, and the parsed values (codes, addresses)
    "q.status",
    "account_label",
    "mail_label",
    "t_records",
    "t_top",
    "t_no_record",
    "t_deciding",
    "t_stopped",
    "t_queries",
    "t_name",
    "t_type",
    "t_answer",
    "t_time",
    "t_cached",
    "t_no_query",
    "field.label",
    "field.help_text",
    "field.html_name",
    "field.field.widget.html_attrs",
    # Names the parser accepted: account names and domains are letters, digits, dots and
    # hyphens (mailcheck.identity refuses anything else), as is the route's HELO name, which
    # staff configure and the admin validates.
    "report.account",
    "fix.account",
    "period.helo",
    "top.domain",
    "r.domain",
    "r.via",
    "a.ip",
    "fix.domain",
    "field.id_for_label",
    # Authentication-Results names the envelope From's domain only (smtp.mailfrom=domain).
    "a.authentication_results",
    # The values to copy are an account of ours and the address that goes with it: quoted
    # local parts are refused at our domains, so they hold no markup.
    "fix.mail_from",
    # The form's error messages are our sentences; a suggestion is built from our domains.
    "error",
    # URL-encoded: no markup character survives urlencode.
    "fix.account|urlencode",
    "fix.domain|urlencode",
    "fix.mail_from|urlencode",
    "address|urlencode",
}


@pytest.fixture
def hostile(settings: object, tmp_path: Path, db: None) -> None:
    zone = tmp_path / "hostile.zone"
    zone.write_text(DEMO_ZONE.read_text(encoding="utf-8") + HOSTILE_ZONE, encoding="utf-8")
    settings.MAILCHECK_DNS = f"zone:{zone}"  # type: ignore[attr-defined]
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())


def page(client: Client, name: str) -> str:
    response = client.get("/en/check/?" + urlencode(CHECKS[name]))
    assert response.status_code in (200, 400)
    return response.content.decode("utf-8")


@pytest.mark.parametrize("name", CHECKS)
def test_every_echoed_value_is_escaped(client: Client, hostile: None, name: str) -> None:
    html = page(client, name)

    assert not RAW.findall(html)
    for tag in TAGS[name]:
        assert f"&lt;{tag}&gt;" in html, f"{tag} is not echoed: the check does not reach it"


def test_the_results_tag_is_part_of_the_page(client: Client, hostile: None) -> None:
    """The mutation test below relies on the result being rendered, not refused."""
    for name in ("broken", "tagged"):
        assert 'id="report-title"' in page(client, name)
        assert 'class="trace"' in page(client, name)


# -- The mutation check ---------------------------------------------------------------------

VARIABLE = re.compile(r"\{\{\s*(.+?)\s*\}\}")
BLOCK = re.compile(r"\{%\s*blocktranslate\b(.*?)%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
WITH_VALUE = re.compile(r"(\w+)=(\S+)")


def result_templates() -> list[str]:
    names = ["mailcheck/check.html"]
    names += sorted(
        str(p.relative_to(TEMPLATES_DIR))
        for p in (TEMPLATES_DIR / "mailcheck" / "includes").glob("*.html")
    )
    return names


def mutations(source: str) -> Iterator[tuple[str, str]]:
    """(expression, source with that one printed value marked safe), for every ``{{ … }}``
    and every value a blocktranslate prints (its ``with`` arguments)."""
    blocks = [(m.start(), m.end()) for m in BLOCK.finditer(source)]
    for m in VARIABLE.finditer(source):
        if any(start <= m.start() < end for start, end in blocks):
            continue  # a blocktranslate placeholder: its value is mutated in the tag
        expression = m.group(1)
        yield expression, f"{source[: m.start()]}{{{{ {expression}|safe }}}}{source[m.end() :]}"
    for block in BLOCK.finditer(source):
        args_start = block.start(1)
        for arg in WITH_VALUE.finditer(block.group(1)):
            if block.group(1)[: arg.start()].rstrip().endswith("count"):
                continue  # a plural's count: a number, or the tag refuses to render
            value = arg.group(2)
            at = args_start + arg.start(2)
            yield value, f"{source[:at]}{value}|safe{source[at + len(value) :]}"


def renders_raw(client: Client) -> bool:
    cache.clear()  # no fragment rendered before the mutation
    return any(RAW.search(page(client, name)) for name in CHECKS)


def test_marking_any_echoed_value_safe_fails_the_escaping_test(
    client: Client, hostile: None
) -> None:
    # The site's engine, with the one mutated template put before the files.
    base: dict[str, Any] = {k: v for k, v in settings.TEMPLATES[0].items() if k != "APP_DIRS"}
    missed: set[str] = set()
    caught: set[str] = set()
    for name in result_templates():
        source = (TEMPLATES_DIR / name).read_text(encoding="utf-8")
        for expression, mutated in mutations(source):
            loaders = [
                ("django.template.loaders.locmem.Loader", {name: mutated}),
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ]
            engine = {**base, "OPTIONS": {**base["OPTIONS"], "loaders": loaders}}
            with override_settings(TEMPLATES=[engine]):
                if renders_raw(client):
                    caught.add(expression)
                else:
                    missed.add(expression)

    # Each escaped value the hostile checks fill must be among those caught.
    assert {"report.mail_from", "fix.text", "finding.text", "r.text", "value"} <= caught
    uncovered = missed - NOT_TEXT
    assert not uncovered, f"printed values no hostile check fills with markup: {uncovered}"
    assert not (caught & NOT_TEXT), f"NOT_TEXT lists values that do carry text: {caught & NOT_TEXT}"
