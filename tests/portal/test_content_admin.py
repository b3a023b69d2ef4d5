"""The admin for notices and the FAQ: every page loads, preview, history, the editor group."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from portal.models import FaqCategory, FaqEntry, Notice
from tests.portal.conftest import jst

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
    assert editor_client.get("/admin/mailcheck/service/").status_code == 403
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
