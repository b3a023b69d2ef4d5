"""After a fresh install the site has the change notice and a useful FAQ, in both languages."""

import io

import pytest
from django.core.management import call_command

from portal.models import FaqCategory, FaqEntry, Notice
from tests.portal.conftest import jst


@pytest.mark.django_db
def test_loaddemocontent_creates_the_change_notice_in_both_languages() -> None:
    call_command("loaddemocontent", stdout=io.StringIO())
    notice = Notice.objects.get(slug="2014-03-25-sender-address-and-spf")
    assert notice.publish_from == jst(2014, 2, 24, 10)
    assert notice.is_public()
    assert "2014年3月25日" in notice.body_ja
    assert "25 March 2014" in notice.body_en
    assert "デモ" in notice.body_ja and "Demo" in notice.body_en
    assert set(notice.check_topics.values_list("code", flat=True)) >= {"newly_failing"}


@pytest.mark.django_db
def test_the_demo_faq_has_at_least_eight_answers_with_cause_and_fix() -> None:
    call_command("loaddemocontent", stdout=io.StringIO())
    entries = FaqEntry.objects.published()
    assert entries.count() >= 8
    assert FaqCategory.objects.count() >= 2
    for entry in entries:
        assert "原因" in entry.answer_ja and "対処方法" in entry.answer_ja, entry.slug
        assert "Cause" in entry.answer_en and "What to do" in entry.answer_en, entry.slug
    linked = set(entries.values_list("check_topics__code", flat=True))
    assert {"mailbox_differs", "domain_differs", "outside_service", "no_spf"} <= linked


@pytest.mark.django_db
def test_loaddemocontent_runs_twice_and_keeps_staff_edits() -> None:
    call_command("loaddemocontent", stdout=io.StringIO())
    FaqEntry.objects.filter(slug="own-domain").update(question_ja="編集済み")
    counts = (Notice.objects.count(), FaqEntry.objects.count(), FaqCategory.objects.count())
    out = io.StringIO()
    call_command("loaddemocontent", stdout=out)
    assert out.getvalue() == ""
    assert (Notice.objects.count(), FaqEntry.objects.count(), FaqCategory.objects.count()) == counts
    assert FaqEntry.objects.get(slug="own-domain").question_ja == "編集済み"
