"""Notice and FAQ texts quote the change date from the configuration: ``{change_date}``."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from mailcheck import models
from portal.models import FaqEntry

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)
# A demo answer that quotes the date, in both languages.
ANSWER = "/faq/mail-goes-to-junk/"


@pytest.fixture(autouse=True)
def today() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


def text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("prefix", "date"), [("", "2014年3月25日"), ("/en", "25 March 2014")])
def test_a_faq_answer_quotes_the_configured_date_in_the_page_language(
    client: Client, demo: models.Service, prefix: str, date: str
) -> None:
    page = text(client, prefix + ANSWER)

    assert date in page
    assert "{change_date}" not in page


@pytest.mark.parametrize(
    ("prefix", "new", "old"),
    [("", "2027年1月10日", "2014年3月25日"), ("/en", "10 January 2027", "25 March 2014")],
)
def test_moving_the_change_date_moves_it_in_the_answers_and_the_questions(
    client: Client, demo: models.Service, prefix: str, new: str, old: str
) -> None:
    text(client, prefix + "/faq/")  # warm the caches
    change = demo.changes.get()
    change.effective = datetime.date(2027, 1, 10)
    change.save()

    faq = text(client, prefix + "/faq/")
    answer = text(client, prefix + ANSWER)

    assert new in faq
    assert new in answer
    assert old not in answer


def test_without_a_dated_change_the_text_says_the_date_of_the_change(
    client: Client, demo: models.Service
) -> None:
    demo.changes.all().delete()

    assert "変更日" in text(client, ANSWER)
    assert "the date of the change" in text(client, "/en" + ANSWER)


def test_the_placeholder_is_kept_in_the_stored_text_and_the_value_is_escaped(
    demo: models.Service, settings: Any
) -> None:
    entry = FaqEntry.objects.get(slug="mail-goes-to-junk")

    assert "{change_date}" in entry.answer_ja_html
    assert "<" not in entry.answer_html.split("2014年3月25日")[0][-1:]
