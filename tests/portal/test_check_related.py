"""The check result links the published notices and FAQ answers staff chose for its findings."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from portal.models import CheckTopic, FaqEntry, Notice

MAILBOX_DIFFERS = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"}
MATCHING = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"}


@pytest.fixture
def demo(db: None) -> None:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())


def related_section(page: str) -> str:
    assert 'class="check-related"' in page
    return page.split('class="check-related"')[1].split("</section>")[0]


def test_a_softfail_result_links_the_change_notice_and_the_faq(client: Client, demo: None) -> None:
    page = client.get("/check/", MAILBOX_DIFFERS).content.decode()
    assert "spf=softfail" in page
    section = related_section(page)
    assert 'href="/notices/2014-03-25-sender-address-and-spf/"' in section
    assert 'href="/faq/several-addresses-one-login/"' in section
    assert 'href="/faq/own-domain/"' not in section  # linked to other findings only


def test_the_english_result_links_the_english_pages(client: Client, demo: None) -> None:
    section = related_section(client.get("/en/check/", MAILBOX_DIFFERS).content.decode())
    assert 'href="/en/notices/2014-03-25-sender-address-and-spf/"' in section
    assert "My mail ends up in the recipient" in section


def test_staff_choose_what_is_shown_and_drafts_stay_hidden(client: Client, demo: None) -> None:
    topic = CheckTopic.objects.get(code="mailbox_differs")
    draft = Notice.objects.create(
        slug="draft-explainer", title_ja="下書きの解説", body_ja="x", is_draft=True
    )
    draft.check_topics.add(topic)
    unpublished = FaqEntry.objects.get(slug="several-addresses-one-login")
    unpublished.is_published = False
    unpublished.save()
    section = related_section(client.get("/check/", MAILBOX_DIFFERS).content.decode())
    assert "下書きの解説" not in section
    assert "several-addresses-one-login" not in section


def test_a_passing_result_shows_no_related_content(client: Client, demo: None) -> None:
    page = client.get("/check/", MATCHING).content.decode()
    assert "spf=pass" in page
    assert 'class="check-related"' not in page


def test_an_own_domain_sender_gets_the_own_domain_answer(client: Client, demo: None) -> None:
    page = client.get(
        "/check/", {"account": "iij-taro.iijmio-mail.jp", "mail_from": "example@example.jp"}
    ).content.decode()
    assert 'href="/faq/own-domain/"' in related_section(page)
