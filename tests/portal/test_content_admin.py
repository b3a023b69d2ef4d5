"""The admin for notices and the FAQ: every page loads, preview, history, the editor group."""

import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.test import Client

from portal.markdown import render_markdown
from portal.models import FaqCategory, FaqEntry, Notice, SearchSynonym
from tests.portal.conftest import jst


def at(*moment: int) -> Any:
    return time_machine.travel(jst(*moment), tick=False)


EDITOR_PERMISSIONS = {
    "portal.add_notice",
    "portal.change_notice",
    "portal.view_notice",
    "portal.add_faqcategory",
    "portal.change_faqcategory",
    "portal.view_faqcategory",
    "portal.add_faqentry",
    "portal.change_faqentry",
    "portal.view_faqentry",
    # They read (never change) the service configuration they explain to customers.
    "mailcheck.view_service",
    "mailcheck.view_servicedomain",
    "mailcheck.view_route",
    "mailcheck.view_routeaddress",
    "mailcheck.view_policychange",
    # The support desk keeps the search's synonym list, removing groups too.
    "portal.add_searchsynonym",
    "portal.change_searchsynonym",
    "portal.delete_searchsynonym",
    "portal.view_searchsynonym",
}


@pytest.fixture
def content(
    make_notice: Callable[..., Notice], make_faq: Callable[..., FaqEntry]
) -> dict[str, Any]:
    notice = make_notice(slug="change", title_ja="送信経路の変更", is_draft=True)
    entry = make_faq(slug="junk", question_ja="迷惑メールになります")
    entry.related_notices.add(notice)
    return {"notice": notice, "faqentry": entry, "faqcategory": entry.category}


def admin_pages(content: dict[str, Any]) -> list[str]:
    pages = []
    for model, obj in content.items():
        base = f"/admin/portal/{model}/"
        pages += [base, f"{base}add/", f"{base}{obj.pk}/change/", f"{base}{obj.pk}/history/"]
        pages += [f"{base}{obj.pk}/delete/"]
    for model in ("notice", "faqentry"):
        pk = content[model].pk
        pages += [
            f"/admin/portal/{model}/{pk}/preview/",
            f"/admin/portal/{model}/{pk}/preview/?lang=en",
        ]
    return pages


def test_every_admin_page_of_the_content_loads_for_a_superuser(
    admin_client: Client, content: dict[str, Any]
) -> None:
    for url in admin_pages(content):
        response = admin_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    "query",
    [
        "?q=経路",
        "?q=%E3%80%80",
        "?status=draft",
        "?status=scheduled",
        "?status=published",
        "?status=expired",
        "?category__exact=maintenance",
        "?importance__exact=important",
        "?publish_from__gte=2014-01-01+00%3A00%3A00%2B09%3A00",
        "?publish_from__year=2014&publish_from__month=2",
        "?check_topics__id__exact=1",
    ],
)
def test_the_notice_list_filters_and_searches(
    admin_client: Client, content: dict[str, Any], query: str
) -> None:
    assert admin_client.get(f"/admin/portal/notice/{query}").status_code == 200


def test_the_admin_search_finds_a_notice_by_a_word_inside_japanese_text(
    admin_client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(title_ja="送信経路の変更について")
    make_notice(title_ja="メンテナンスのお知らせ")
    page = admin_client.get("/admin/portal/notice/", {"q": "経路"}).content.decode()
    assert "送信経路の変更について" in page
    assert "メンテナンスのお知らせ" not in page


def test_the_preview_renders_a_draft_with_the_public_template_in_either_language(
    admin_client: Client, content: dict[str, Any]
) -> None:
    pk = content["notice"].pk
    ja = admin_client.get(f"/admin/portal/notice/{pk}/preview/").content.decode()
    en = admin_client.get(f"/admin/portal/notice/{pk}/preview/?lang=en").content.decode()
    assert "送信経路の変更" in ja and "notice--preview" in ja
    assert content["notice"].title_en in en
    assert '<html lang="en">' in en


def test_the_change_form_offers_preview_and_view_on_site(
    admin_client: Client, content: dict[str, Any]
) -> None:
    pk = content["notice"].pk
    page = admin_client.get(f"/admin/portal/notice/{pk}/change/").content.decode()
    assert f"/admin/portal/notice/{pk}/preview/?lang=ja" in page
    assert f"/admin/portal/notice/{pk}/preview/?lang=en" in page
    assert 'class="viewsitelink"' in page


def notice_form(**overrides: str) -> dict[str, str]:
    data = {
        "title_ja": "4月1日のメンテナンス",
        "title_en": "Maintenance on 1 April",
        "body_ja": "本文",
        "body_en": "Body",
        "slug": "maintenance-0401",
        "category": "maintenance",
        "importance": "normal",
        "publish_from_0": "2099-04-01",
        "publish_from_1": "09:00:00",
        "publish_until_0": "",
        "publish_until_1": "",
        "is_draft": "",
    }
    data.update(overrides)
    return data


def test_saving_records_the_author_and_the_history_names_who_changed_what(
    admin_client: Client, admin_user: Any
) -> None:
    response = admin_client.post("/admin/portal/notice/add/", notice_form())
    assert response.status_code == 302
    notice = Notice.objects.get(slug="maintenance-0401")
    assert notice.created_by == admin_user and notice.updated_by == admin_user
    assert notice.status() == Notice.Status.SCHEDULED
    admin_client.post(
        f"/admin/portal/notice/{notice.pk}/change/", notice_form(title_ja="4月2日のメンテナンス")
    )
    records = list(notice.history.all())
    assert [r.history_type for r in records] == ["~", "+"]
    assert all(r.history_user == admin_user for r in records)
    delta = records[0].diff_against(records[1])
    assert [change.field for change in delta.changes] == ["title_ja"]
    history = admin_client.get(f"/admin/portal/notice/{notice.pk}/history/").content.decode()
    assert admin_user.username in history


def test_the_admin_refuses_an_end_before_the_start(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/portal/notice/add/",
        notice_form(publish_until_0="2099-03-01", publish_until_1="00:00:00"),
    )
    assert response.status_code == 200
    assert not Notice.objects.exists()


def test_the_admin_refuses_half_an_english_translation(admin_client: Client) -> None:
    response = admin_client.post("/admin/portal/notice/add/", notice_form(body_en=""))
    assert response.status_code == 200
    assert not Notice.objects.exists()


def test_the_publish_action_publishes_drafts_at_their_time(
    admin_client: Client, make_notice: Callable[..., Notice]
) -> None:
    draft = make_notice(is_draft=True, publish_from=jst(2014, 1, 1))
    admin_client.post(
        "/admin/portal/notice/",
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert not draft.is_draft


@pytest.mark.django_db
def test_the_support_editor_group_has_exactly_the_content_editing_permissions() -> None:
    group = Group.objects.get(name="Support editors")
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    assert granted == EDITOR_PERMISSIONS


@pytest.fixture
def editor_client(client: Client, django_user_model: Any) -> Client:
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Support editors"))
    client.force_login(editor)
    return client


def test_a_support_editor_writes_and_previews_but_cannot_delete_or_touch_the_rest(
    editor_client: Client, content: dict[str, Any]
) -> None:
    notice = content["notice"]
    assert editor_client.get("/admin/portal/notice/add/").status_code == 200
    assert editor_client.get(f"/admin/portal/notice/{notice.pk}/change/").status_code == 200
    assert editor_client.get(f"/admin/portal/notice/{notice.pk}/preview/").status_code == 200
    assert editor_client.get(f"/admin/portal/notice/{notice.pk}/history/").status_code == 200
    assert (
        editor_client.get(f"/admin/portal/faqentry/{content['faqentry'].pk}/change/").status_code
        == 200
    )
    assert editor_client.get(f"/admin/portal/notice/{notice.pk}/delete/").status_code == 403
    assert editor_client.get("/admin/mailcheck/service/").status_code == 200
    assert editor_client.get("/admin/mailcheck/service/add/").status_code == 403
    assert editor_client.get("/admin/auth/user/").status_code == 403
    assert editor_client.get("/admin/auth/group/").status_code == 403


def test_a_staff_member_without_content_rights_cannot_preview(
    client: Client, content: dict[str, Any], django_user_model: Any
) -> None:
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    assert client.get(f"/admin/portal/notice/{content['notice'].pk}/preview/").status_code == 403


@pytest.mark.django_db
def test_deleting_a_category_with_answers_is_refused(faq_category: FaqCategory) -> None:
    FaqEntry.objects.create(slug="x", category=faq_category, question_ja="q", answer_ja="a")
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        faq_category.delete()


def test_permission_codenames_exist(db: None) -> None:
    for name in EDITOR_PERMISSIONS:
        app_label, codename = name.split(".")
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename)


# --- writing content: help, live preview, removed-content warning, slugs, translations ---------


def test_the_markdown_help_shows_half_width_link_syntax_that_makes_a_link(
    admin_client: Client,
) -> None:
    for prefix in ("ja", "en"):
        admin_client.cookies["django_language"] = prefix
        page = admin_client.get("/admin/portal/notice/add/").content.decode()
        examples = re.findall(r"<code>(.*?)</code>", page.split('id="id_body_ja"')[1])
        link = next(example for example in examples if example.startswith("["))
        assert link == "[text](https://example.jp/)"
        assert not set(link) & set("［］（）")  # no full-width brackets
        assert '<a href="https://example.jp/"' in render_markdown(link)
        heading = next(example for example in examples if example.startswith("#"))
        assert render_markdown(heading.replace("…", "見出し")) == "<h2>見出し</h2>"


def test_the_live_preview_renders_unsaved_markdown_with_the_site_sanitiser(
    admin_client: Client,
) -> None:
    response = admin_client.post(
        "/admin/portal/notice/markdown-preview/",
        {"text": "# 実施日\n\n[危険](javascript:alert(1)) <script>alert(2)</script>"},
    )
    assert response.status_code == 200
    result = response.json()
    assert result["html"].startswith("<h2>実施日</h2>")
    assert "javascript" not in result["html"] and "<script" not in result["html"]
    assert result["removed"] == ["javascript:alert(1)", "<script>"]
    assert "javascript:alert(1)" in result["warning"] and "<script>" in result["warning"]
    assert not Notice.objects.exists()


def test_the_live_preview_is_post_only_csrf_protected_and_for_content_writers(
    client: Client, admin_user: Any, django_user_model: Any
) -> None:
    url = "/admin/portal/faqentry/markdown-preview/"
    assert client.post(url, {"text": "x"}).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    assert client.post(url, {"text": "x"}).status_code == 403
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(url, {"text": "x"}).status_code == 403
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get(url).status_code == 405
    assert admin.post(url, {"text": "**x**"}).json()["html"] == "<p><strong>x</strong></p>"


def test_the_change_form_loads_the_preview_script_for_each_markdown_box(
    admin_client: Client,
) -> None:
    page = admin_client.get("/admin/portal/faqentry/add/").content.decode()
    assert 'src="/static/js/markdown-preview.js"' in page
    assert page.count('data-markdown-preview="/admin/portal/faqentry/markdown-preview/"') == 2


def test_saving_warns_about_what_the_sanitiser_removed(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/portal/notice/add/",
        notice_form(body_ja="[ここ](javascript:alert(1))をクリック<script>x()</script>"),
        follow=True,
    )
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "javascript:alert(1)" in warnings[0] and "<script>" in warnings[0]
    notice = Notice.objects.get()
    assert "javascript" not in notice.body_ja_html
    clean = admin_client.post(
        f"/admin/portal/notice/{notice.pk}/change/", notice_form(body_ja="**安全**"), follow=True
    )
    assert not [m for m in clean.context["messages"] if m.level_tag == "warning"]


def test_a_japanese_only_notice_gets_an_ascii_address_from_its_date(
    admin_client: Client,
) -> None:
    form = notice_form(title_en="", body_en="", slug="", publish_from_0="2026-11-28")
    for _ in range(2):
        assert admin_client.post("/admin/portal/notice/add/", form).status_code == 302
    slugs = sorted(Notice.objects.values_list("slug", flat=True))
    assert slugs == ["notice-2026-11-28", "notice-2026-11-28-2"]
    assert Client().get("/notices/notice-2026-11-28-2/").status_code == 200


def test_an_empty_address_is_made_from_the_english_title(admin_client: Client) -> None:
    admin_client.post("/admin/portal/notice/add/", notice_form(slug=""))
    assert Notice.objects.get().slug == "maintenance-on-1-april"


def test_a_japanese_only_faq_entry_gets_an_address(
    admin_client: Client, faq_category: FaqCategory
) -> None:
    data = {
        "question_ja": "迷惑メールフォルダーに入ります",
        "answer_ja": "回答",
        "question_en": "",
        "answer_en": "",
        "slug": "",
        "category": str(faq_category.pk),
        "position": "",
        "is_published": "on",
    }
    assert admin_client.post("/admin/portal/faqentry/add/", data).status_code == 302
    assert re.fullmatch(r"faq-\d{4}-\d\d-\d\d", FaqEntry.objects.get().slug)


def test_new_faq_entries_go_to_the_end_of_their_category(
    admin_client: Client, make_faq: Callable[..., FaqEntry], faq_category: FaqCategory
) -> None:
    make_faq(position=10)
    make_faq(position=30)
    other = FaqCategory.objects.create(slug="other", name_ja="その他", position=2)
    make_faq(category=other, position=99)
    added = make_faq()
    assert added.position == 31
    first_elsewhere = FaqEntry.objects.create(
        slug="first",
        category=FaqCategory.objects.create(slug="new", name_ja="新"),
        question_ja="q",
        answer_ja="a",
    )
    assert first_elsewhere.position == 1
    response = admin_client.post(
        "/admin/portal/faqentry/add/",
        {
            "question_ja": "最後の質問",
            "answer_ja": "回答",
            "slug": "last",
            "category": str(faq_category.pk),
            "position": "",
        },
    )
    assert response.status_code == 302
    assert FaqEntry.objects.get(slug="last").position == 32
    page = Client().get("/faq/").content.decode()
    assert "最後の質問" not in page  # unpublished by default
    assert [e.slug for e in FaqEntry.objects.filter(category=faq_category)][-1] == "last"


def test_an_edit_of_one_language_marks_the_other_as_possibly_out_of_date(
    admin_client: Client, make_notice: Callable[..., Notice], settings: Any
) -> None:
    # The admin in English (a member of staff's choice), so that the absent marks are read in
    # the language the present ones are.
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with at(2026, 11, 1, 19, 0):
        notice = make_notice(slug="marked", title_ja="メンテナンス", title_en="Maintenance")
    assert notice.outdated_language is None
    assert "may be out of date" not in admin_client.get("/admin/portal/notice/").content.decode()

    with at(2026, 11, 2, 19, 0):
        notice.body_ja = "日時を変更しました"
        notice.save()
    assert notice.outdated_language == "en"
    listing = admin_client.get("/admin/portal/notice/").content.decode()
    assert "English may be out of date" in listing
    form = admin_client.get(f"/admin/portal/notice/{notice.pk}/change/").content.decode()
    assert "The Japanese text was changed on 2026-11-02 19:00, after the English" in form

    with at(2026, 11, 3, 19, 0):
        notice.body_en = "The date has changed"  # the translator catches up
        notice.save()
    assert notice.outdated_language is None
    assert "may be out of date" not in admin_client.get("/admin/portal/notice/").content.decode()
    with at(2026, 11, 4, 19, 0):
        notice.title_en = "Maintenance (new date)"
        notice.save()
    assert notice.outdated_language == "ja"
    assert "Japanese may be out of date" in (
        admin_client.get("/admin/portal/notice/").content.decode()
    )


def test_a_translation_added_later_or_a_change_elsewhere_marks_nothing(
    make_faq: Callable[..., FaqEntry],
) -> None:
    with at(2026, 11, 1):
        entry = make_faq(question_en="", answer_en="")
    assert entry.en_changed_at is None and entry.outdated_language is None
    with at(2026, 11, 2):
        entry.question_en, entry.answer_en = "Question", "Answer"
        entry.save()
    assert entry.outdated_language is None
    with at(2026, 11, 3):
        entry.is_published = False
        entry.save()
    assert entry.outdated_language is None


def test_staff_mark_a_translation_up_to_date_from_the_list(
    admin_client: Client, make_notice: Callable[..., Notice]
) -> None:
    with at(2026, 11, 1):
        notice = make_notice()
    with at(2026, 11, 2):
        notice.body_ja = "変更"
        notice.save()
    admin_client.post(
        "/admin/portal/notice/",
        {"action": "mark_translation_current", "_selected_action": [notice.pk]},
    )
    notice.refresh_from_db()
    assert notice.outdated_language is None
    assert notice.history.count() == 2  # checking a translation changes no text


def test_the_support_desk_edits_the_search_synonyms_in_the_admin(
    editor_client: Client,
) -> None:
    assert editor_client.get("/admin/portal/searchsynonym/").status_code == 200
    response = editor_client.post(
        "/admin/portal/searchsynonym/add/", {"terms": "受信拒否, ブロック, block"}
    )
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(terms__startswith="受信拒否").exists()
    refused = editor_client.post("/admin/portal/searchsynonym/add/", {"terms": "ひとつだけ"})
    assert refused.status_code == 200
