"""Fixtures for the site content's tests: notices and FAQ entries built in one line."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from portal.models import FaqCategory, FaqEntry, Notice

JST = ZoneInfo("Asia/Tokyo")


def jst(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JST)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The admin_client fixture sets a password; the default hasher takes most of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_notice(db: None) -> Callable[..., Notice]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> Notice:
        n = next(counter)
        values: dict[str, Any] = {
            "slug": f"notice-{n}",
            "title_ja": f"お知らせ{n}",
            "title_en": f"Notice {n}",
            "body_ja": f"本文{n}",
            "body_en": f"Body {n}",
            "publish_from": jst(2014, 2, 24, 10, 0),
            "is_draft": False,
        }
        values.update(fields)
        return Notice.objects.create(**values)

    return make


@pytest.fixture
def faq_category(db: None) -> FaqCategory:
    return FaqCategory.objects.create(
        slug="spf-results", name_ja="SPFの結果", name_en="SPF results", position=1
    )


@pytest.fixture
def make_faq(faq_category: FaqCategory) -> Callable[..., FaqEntry]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> FaqEntry:
        n = next(counter)
        values: dict[str, Any] = {
            "slug": f"question-{n}",
            "category": faq_category,
            "question_ja": f"質問{n}",
            "question_en": f"Question {n}",
            "answer_ja": f"回答{n}",
            "answer_en": f"Answer {n}",
            "is_published": True,
        }
        values.update(fields)
        return FaqEntry.objects.create(**values)

    return make
