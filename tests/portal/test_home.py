"""The home page states the rule as the configuration has it: its date, its routes, or that the
check is offline."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mailcheck import models

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)
NOT_IN_SPF = {
    "/": "SPFレコードに記載されていないサーバー",
    "/en/": "not listed in our SPF record",
}


@pytest.fixture(autouse=True)
def today() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


def hero(html: str) -> str:
    """The page's own statement, without the navigation, the notices and the footer."""
    found = re.search(r'<section class="hero">.*?(?=<section class="home-notices")', html, re.S)
    assert found, "no hero section"
    return found.group(0)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("url", "date"), [("/", "2014年3月25日"), ("/en/", "25 March 2014")])
def test_the_home_page_gives_the_change_date_of_the_configuration(
    client: Client, demo: models.Service, url: str, date: str
) -> None:
    html = page(client, url)

    assert date in html
    assert 'href="' + url + 'check/"' in hero(html)
    assert "rule-figure__server--unlisted" in html


@pytest.mark.parametrize(
    ("url", "date", "old"),
    [("/", "2027年1月10日", "2014年3月25日"), ("/en/", "10 January 2027", "25 March 2014")],
)
def test_a_moved_change_date_is_on_the_home_page_and_the_old_one_is_gone(
    client: Client, demo: models.Service, url: str, date: str, old: str
) -> None:
    page(client, url)
    change = demo.changes.get()
    change.effective = datetime.date(2027, 1, 10)
    change.save()

    html = page(client, url)

    assert date in html
    assert old not in html
    assert "2014" not in hero(html)


def test_a_change_still_ahead_is_told_in_the_future_tense(
    client: Client, demo: models.Service
) -> None:
    demo.changes.update(effective=datetime.date(2027, 1, 10))

    html = page(client, "/en/")

    assert "From 10 January 2027, mail whose sender address" in html
    assert "will leave through a server that is not listed in our SPF record" in html
    assert "Since" not in hero(html)


@pytest.mark.parametrize("url", ["/", "/en/"])
def test_mismatched_senders_on_the_listed_route_are_not_said_to_leave_outside_spf(
    client: Client, demo: models.Service, url: str
) -> None:
    demo.changes.update(mismatched_route="listed")

    html = page(client, url)

    assert NOT_IN_SPF[url] not in html
    assert "rule-figure__server--unlisted" not in html
    assert "badge--softfail" not in html


@pytest.mark.parametrize(
    ("url", "words"), [("/", "ご利用いただけません"), ("/en/", "not available")]
)
def test_with_no_active_service_it_says_the_check_is_unavailable(
    client: Client, demo: models.Service, url: str, words: str
) -> None:
    models.Service.objects.update(is_active=False)

    html = page(client, url)

    assert words in hero(html)
    assert "check/" not in hero(html)
    assert "rule-figure" not in html


def test_with_no_service_at_all_it_says_the_check_is_unavailable(client: Client) -> None:
    html = page(client, "/en/")

    assert "not available" in hero(html)
    assert "check/" not in hero(html)


@pytest.mark.parametrize("url", ["/", "/en/"])
def test_with_no_change_rows_it_makes_no_claim_about_a_change(
    client: Client, demo: models.Service, url: str
) -> None:
    demo.changes.all().delete()

    html = hero(page(client, url))

    # No date at all (not today's either), and no change spoken of, in either language.
    for words in ("2014", "2026", "年", "Since", "From ", "the change", "変更", "以降"):
        assert words not in html, words
    # Before any change every mail leaves through the listed route, and so it still does.
    assert "rule-figure__server--unlisted" not in html
    assert "spf=pass" in html
    assert 'href="' + url + 'check/"' in html


def test_two_dated_changes_give_the_latest_in_force_and_the_one_ahead(
    client: Client, demo: models.Service
) -> None:
    demo.changes.create(
        title="Later",
        effective=datetime.date(2020, 4, 1),
        matched_route="listed",
        mismatched_route="unlisted",
    )
    demo.changes.create(
        title="Ahead",
        effective=datetime.date(2027, 1, 10),
        matched_route="listed",
        mismatched_route="listed",
    )

    html = page(client, "/en/")

    assert "Since 1 April 2020" in html
    assert "25 March 2014" not in hero(html)
    assert "A further change to our sending servers takes effect on 10 January 2027." in html


def test_a_warm_home_page_reads_no_configuration_row(client: Client, demo: models.Service) -> None:
    page(client, "/en/")

    with CaptureQueriesContext(connection) as queries:
        html = page(client, "/en/")

    assert "25 March 2014" in html
    assert not [q["sql"] for q in queries.captured_queries if "mailcheck_" in q["sql"]]
