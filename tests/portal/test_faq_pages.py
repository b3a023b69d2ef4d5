"""/faq/: answers by category, each with an anchor, and a search that understands Japanese."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from portal.models import FaqCategory, FaqEntry


def test_the_faq_groups_answers_by_category_with_anchors(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    other = FaqCategory.objects.create(slug="client", name_ja="メールソフト", position=2)
    make_faq(slug="what-is-softfail", question_ja="softfailとは何ですか")
    make_faq(slug="account-name", question_ja="アカウント名とは", category=other)
    page = client.get("/faq/").content.decode()
    assert 'id="spf-results"' in page and 'id="client"' in page
    assert page.index('id="spf-results"') < page.index('id="what-is-softfail"')
    assert page.index('id="what-is-softfail"') < page.index('id="client"')
    assert page.index('id="client"') < page.index('id="account-name"')
    assert 'href="/faq/what-is-softfail/"' in page


def test_each_answer_has_its_own_page(client: Client, make_faq: Callable[..., FaqEntry]) -> None:
    make_faq(slug="own-domain", question_en="Own domain?", answer_en="**Cause**\n\nIt is so.")
    page = client.get("/en/faq/own-domain/").content.decode()
    assert "Own domain?" in page
    assert "<strong>Cause</strong>" in page


def test_the_search_finds_an_answer_by_a_japanese_word_inside_a_sentence(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    make_faq(
        slug="junk",
        question_ja="送ったメールが迷惑メールフォルダに入ります",
        answer_ja="原因はアカウント名の不一致です。",
    )
    make_faq(slug="other", question_ja="パスワードを忘れました", answer_ja="再設定してください。")
    page = client.get("/faq/", {"q": "不一致"}).content.decode()
    results = page.split('class="faq-results"')[1].split("</section>")[0]
    assert 'href="/faq/junk/"' in results
    assert 'href="/faq/other/"' not in results


def test_the_search_needs_every_word_and_accepts_a_full_width_space(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    make_faq(slug="both", question_ja="独自ドメインで送るとsoftfailになる")
    make_faq(slug="one", question_ja="独自ドメインの設定")
    page = client.get("/faq/", {"q": "独自ドメイン\u3000softfail"}).content.decode()
    results = page.split('class="faq-results"')[1].split("</section>")[0]
    assert 'href="/faq/both/"' in results
    assert 'href="/faq/one/"' not in results


def test_the_search_folds_full_width_letters(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    make_faq(slug="spf", question_ja="SPFとは何ですか")
    page = client.get("/faq/", {"q": "ＳＰＦ"}).content.decode()
    assert 'href="/faq/spf/"' in page.split('class="faq-results"')[1]


def test_the_english_search_also_finds_japanese_words(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    make_faq(slug="junk", question_ja="迷惑メールになります", question_en="Mail goes to junk")
    page = client.get("/en/faq/", {"q": "迷惑"}).content.decode()
    assert 'href="/en/faq/junk/"' in page.split('class="faq-results"')[1]


@pytest.mark.parametrize(
    "query",
    ["%", "_", "'; DROP TABLE portal_faqentry; --", "\\", "a" * 5000, "<script>", "\u3000", "\x00"],
)
def test_odd_search_strings_never_break_the_page(
    client: Client, make_faq: Callable[..., FaqEntry], query: str
) -> None:
    make_faq()
    response = client.get("/faq/", {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split('id="faq-q"')[1].split(">")[0]


def test_unpublished_answers_are_hidden_from_the_public(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    make_faq(slug="hidden", question_ja="非公開の質問", is_published=False)
    assert "非公開の質問" not in client.get("/faq/").content.decode()
    assert "非公開の質問" not in client.get("/faq/", {"q": "非公開"}).content.decode()
    assert client.get("/faq/hidden/").status_code == 404
    assert client.get("/en/faq/hidden/").status_code == 404


def test_staff_preview_an_unpublished_answer(
    client: Client, make_faq: Callable[..., FaqEntry], django_user_model: type
) -> None:
    make_faq(slug="hidden", question_ja="非公開の質問", is_published=False)
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_faqentry"))
    client.force_login(editor)
    response = client.get("/faq/hidden/")
    assert response.status_code == 200
    assert "notice--preview" in response.content.decode()


def test_the_site_map_page_lists_the_sections_and_answers(
    client: Client, make_faq: Callable[..., FaqEntry]
) -> None:
    make_faq(slug="junk", question_ja="迷惑メールになります")
    make_faq(slug="hidden", is_published=False)
    page = client.get("/sitemap/").content.decode()
    for href in ["/check/", "/notices/", "/notices/feed/", "/faq/", "/faq/junk/"]:
        assert f'href="{href}' in page
    assert "/faq/hidden/" not in page
    assert 'href="/en/faq/junk/"' in client.get("/en/sitemap/").content.decode()
