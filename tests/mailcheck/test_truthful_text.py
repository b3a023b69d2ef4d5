"""Every sentence of the check result follows from what was computed: the route actually taken,
its verdicts in each period and where the configuration's dated changes stand."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from mailcheck import models

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)
MISMATCHED = "check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp"
OTHER_DOMAIN = "check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@e23.jp"
MATCHING = "check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp"
# What a page must not say of mail that passed through a listed server, in both languages.
UNLISTED_CLAIMS = [
    "not in our SPF record",
    "Server not in SPF",
    "SPFレコードに含まれないサーバー",
    "SPFに記載されていないサーバー",
    "route-diagram__step--unlisted",
]


@pytest.fixture(autouse=True)
def now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def demo(settings: Any) -> models.Service:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, pattern: str) -> str:
    found = re.search(pattern, html, flags=re.S)
    assert found, pattern
    return found.group(0)


def outcomes(html: str) -> list[str]:
    return re.findall(r'<article class="outcome outcome--(\w+)"', html)


def badge(html: str, kind: str) -> str:
    article = section(html, rf'<article class="outcome outcome--{kind}".*?</article>')
    return section(article, r"spf=\w+")


@pytest.mark.parametrize("prefix", ["/", "/en/"])
@pytest.mark.parametrize("check", [MISMATCHED, OTHER_DOMAIN])
def test_mismatched_senders_on_the_listed_route_are_told_of_no_unlisted_server(
    client: Client, demo: models.Service, prefix: str, check: str
) -> None:
    demo.changes.update(mismatched_route="listed")

    html = page(client, prefix + check)

    assert (badge(html, "before"), badge(html, "after")) == ("spf=pass", "spf=pass")
    for claim in UNLISTED_CLAIMS:
        assert claim not in html, claim
    # The difference is still named, with where the mail goes, and nothing is to be changed.
    assert "finding--mailbox_differs" in html or "finding--domain_differs" in html
    assert "newly_failing" not in html
    assert 'class="fix ' not in html
    assert "fixes--none" in html


def test_the_listed_route_is_named_when_mismatched_senders_take_it(
    client: Client, demo: models.Service
) -> None:
    demo.changes.update(mismatched_route="listed")

    html = page(client, "/en/" + MISMATCHED)

    assert "Such mail leaves through a server in our SPF record." in html
    assert "Nothing: with these settings recipients can confirm" in html
    assert "belong together" not in html


@pytest.mark.parametrize(("prefix", "date"), [("/", "2014年3月25日"), ("/en/", "25 March 2014")])
def test_the_demo_mismatch_is_said_to_leave_outside_spf_since_the_dated_change(
    client: Client, demo: models.Service, prefix: str, date: str
) -> None:
    html = page(client, prefix + MISMATCHED)

    assert (badge(html, "before"), badge(html, "after")) == ("spf=pass", "spf=softfail")
    assert "route-diagram__step--unlisted" in html
    if prefix == "/en/":
        assert (
            "Since the change of 25 March 2014, such mail leaves through a server that is not in "
            "our SPF record." in html
        )
        assert "This setting passed before the change of 25 March 2014 and no longer does." in html
    assert date in section(html, r'<ul class="findings">.*?</ul>')


@pytest.mark.parametrize("prefix", ["/", "/en/"])
def test_without_any_dated_change_the_page_shows_today_and_no_change(
    client: Client, demo: models.Service, prefix: str
) -> None:
    demo.changes.all().delete()

    html = page(client, prefix + MISMATCHED)

    assert outcomes(html) == ["now"]
    # The report as computed, without the notices staff linked to its findings.
    report = section(
        html, r'<section class="report".*?(?=<section class="check-related"|</section>)'
    )
    for words in ("2026", "2014", "年", "change of", "Before the change", "変更前", "変更後"):
        assert words not in report, words
    # Every mail leaves through the listed route when nothing ever changed.
    assert "spf=pass" in report
    for claim in UNLISTED_CLAIMS:
        assert claim not in report, claim


def test_a_change_still_ahead_is_told_in_the_future_tense(
    client: Client, demo: models.Service
) -> None:
    demo.changes.update(effective=datetime.date(2027, 1, 10))

    html = page(client, "/en/" + MISMATCHED)

    assert (badge(html, "before"), badge(html, "after")) == ("spf=pass", "spf=softfail")
    assert "Before the change (until 9 January 2027)" in html
    assert "After the change (from 10 January 2027)" in html
    assert (
        "From the change of 10 January 2027, such mail will leave through a server that is not "
        "in our SPF record." in html
    )
    assert (
        "This setting passes today and will no longer pass from the change of 10 January 2027."
        in html
    )
    assert "Since the change" not in html
    assert "fix--use_address_account" in html


def test_with_two_dated_changes_the_periods_follow_the_latest_in_force(
    client: Client, demo: models.Service
) -> None:
    # From 2020 the mismatched senders were sent back through the listed route.
    demo.changes.create(
        title="Back to the listed route",
        effective=datetime.date(2020, 4, 1),
        matched_route="listed",
        mismatched_route="listed",
    )
    demo.changes.create(
        title="Ahead",
        effective=datetime.date(2027, 1, 10),
        matched_route="listed",
        mismatched_route="unlisted",
    )

    html = page(client, "/en/" + MISMATCHED)

    assert "Before the change (until 31 March 2020)" in html
    assert "After the change (from 1 April 2020)" in html
    assert (badge(html, "before"), badge(html, "after")) == ("spf=softfail", "spf=pass")
    assert (
        "Since the change of 1 April 2020, such mail leaves through a server in our SPF record."
        in html
    )
    assert "A further change to our sending servers takes effect on 10 January 2027." in html
    assert "25 March 2014" not in html
    assert "failing" not in section(html, r'<ul class="findings">.*?</ul>')


def test_a_matching_sender_is_told_nothing_needs_changing(
    client: Client, demo: models.Service
) -> None:
    html = page(client, "/en/" + MATCHING)

    assert "Nothing: your account name and mail address belong together." in html
