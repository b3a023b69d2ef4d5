"""The FAQ search treats spellings a customer cannot be expected to match as the same: a final
long vowel mark (フォルダー, フォルダ), full-width and half-width letters, letter case, and the
synonym groups the support desk keeps in the admin (スパム, spam, 迷惑メール …)."""

from collections.abc import Callable

import pytest
from django.test import Client

from portal.models import FaqEntry, SearchSynonym, fold_for_search, synonym_variants


def found(client: Client, query: str, prefix: str = "") -> set[str]:
    page = client.get(f"{prefix}/faq/", {"q": query}).content.decode()
    results = page.split('class="faq-results"')[1].split("</section>")[0]
    return {
        slug for slug in ("folder", "server", "spam", "junk", "other") if f"/faq/{slug}/" in results
    }


@pytest.fixture
def entries(make_faq: Callable[..., FaqEntry]) -> None:
    make_faq(slug="folder", question_ja="メールが迷惑メールフォルダに入ります", question_en="")
    make_faq(slug="server", question_ja="送信サーバーの設定", question_en="Outgoing server")
    make_faq(slug="spam", question_ja="スパムと判定されました", question_en="")
    make_faq(slug="junk", question_ja="相手に迷惑メール扱いされます", question_en="")
    make_faq(slug="other", question_ja="パスワードを忘れました", question_en="Forgot password")


@pytest.fixture
def synonyms(db: None) -> None:
    SearchSynonym.objects.all().delete()  # Only the groups below, not the starting list.
    SearchSynonym.objects.create(terms="スパム, spam, 迷惑メール")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("フォルダー", {"folder"}),  # text without the mark, query with it
        ("フォルダ", {"folder"}),
        ("サーバ", {"server"}),  # text with the mark, query without it
        ("サーバー", {"server"}),
        ("ｻｰﾊﾞｰ", {"server"}),  # half-width katakana
        ("SERVER", {"server"}),
    ],
)
def test_a_final_long_vowel_mark_width_and_case_do_not_matter(
    client: Client, entries: None, synonyms: None, query: str, expected: set[str]
) -> None:
    assert found(client, query) == expected


def test_synonyms_find_each_other_both_ways(client: Client, entries: None, synonyms: None) -> None:
    everything = {"folder", "spam", "junk"}
    assert found(client, "スパム") == everything
    assert found(client, "迷惑メール") == everything
    assert found(client, "spam") == everything
    assert found(client, "ＳＰＡＭ") == everything  # full-width
    assert found(client, "Spam", "/en") == everything


def test_a_word_containing_a_synonym_finds_the_other_spelling(
    client: Client, entries: None, synonyms: None
) -> None:
    assert found(client, "スパムフォルダー") == {"folder"}


def test_a_group_added_in_the_admin_takes_effect_at_once(
    client: Client, entries: None, synonyms: None
) -> None:
    assert found(client, "暗証番号") == set()
    SearchSynonym.objects.create(terms="暗証番号、パスワード")
    assert found(client, "暗証番号") == {"other"}


def test_every_word_is_still_required(client: Client, entries: None, synonyms: None) -> None:
    assert found(client, "spam フォルダー") == {"folder"}


def test_the_starting_synonym_list_knows_junk_folders(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    make_faq(slug="folder", question_ja="迷惑メールフォルダに入ります", question_en="")
    assert found(client, "迷惑フォルダー") == {"folder"}
    assert found(client, "junk") == {"folder"}


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("フォルダー", "フォルダ"),
        ("サーバーの設定", "サーバの設定"),
        ("メールサーバー", "メールサーバ"),
        ("ユーザーID", "ユーザid"),
        ("ＳＰＡＭ", "spam"),
        ("ﾒｰﾙ", "メール"),  # a mark inside a word stays
        ("ー", "ー"),
    ],
)
def test_fold_for_search(text: str, folded: str) -> None:
    assert fold_for_search(text) == folded


def test_synonym_variants_replace_a_contained_term() -> None:
    groups = (("スパム", "spam", "迷惑メール"),)
    assert synonym_variants("スパムフォルダ", groups) == {
        "スパムフォルダ",
        "spamフォルダ",
        "迷惑メールフォルダ",
    }
    assert synonym_variants("設定", groups) == {"設定"}
