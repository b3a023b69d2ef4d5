"""Support editors in the admin: they read the service configuration and cannot change it, a page
they may not use answers inside the admin, an administrator makes one on one page, and groups and
permissions are named in the admin's language."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from mailcheck import models
from portal.admin_users import SUPPORT_EDITORS, ensure_support_editor_permissions
from portal.models import Notice

pytestmark = pytest.mark.django_db

CONFIGURATION = ["service", "servicedomain", "route", "routeaddress", "policychange"]


def text(language: str, msgid: str, **values: Any) -> str:
    with translation.override(language):
        return translation.gettext(msgid) % values if values else translation.gettext(msgid)


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


@pytest.fixture
def editor(django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=SUPPORT_EDITORS))
    return user


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


# The group's permissions.


def test_support_editors_may_view_every_part_of_the_configuration_and_change_none() -> None:
    group = Group.objects.get(name=SUPPORT_EDITORS)
    granted = set(
        group.permissions.filter(content_type__app_label="mailcheck").values_list(
            "codename", flat=True
        )
    )
    assert granted == {f"view_{model}" for model in CONFIGURATION}


def test_the_permissions_are_given_again_after_an_administrator_removed_them() -> None:
    group = Group.objects.get(name=SUPPORT_EDITORS)
    group.permissions.remove(*Permission.objects.filter(codename="view_route"))
    before = set(group.permissions.values_list("pk", flat=True))

    ensure_support_editor_permissions()
    ensure_support_editor_permissions()

    after = set(group.permissions.values_list("pk", flat=True))
    assert after - before == {Permission.objects.get(codename="view_route").pk}


def test_a_deleted_group_is_not_brought_back() -> None:
    Group.objects.filter(name=SUPPORT_EDITORS).delete()
    ensure_support_editor_permissions()
    assert not Group.objects.filter(name=SUPPORT_EDITORS).exists()


# Reading, not changing.


def configuration_urls(service: models.Service) -> dict[str, str]:
    route = service.routes.first()
    change = service.changes.first()
    assert route is not None and change is not None
    return {
        "services": "/admin/mailcheck/service/",
        "service": f"/admin/mailcheck/service/{service.pk}/change/",
        "service history": f"/admin/mailcheck/service/{service.pk}/history/",
        "routes": "/admin/mailcheck/route/",
        "route": f"/admin/mailcheck/route/{route.pk}/change/",
        "changes": "/admin/mailcheck/policychange/",
        "change": f"/admin/mailcheck/policychange/{change.pk}/change/",
    }


def test_an_editor_reads_the_service_its_routes_and_its_dated_changes(
    editor_client: Client, demo: models.Service
) -> None:
    for name, url in configuration_urls(demo).items():
        response = editor_client.get(url)
        assert response.status_code == 200, name
    page = editor_client.get(f"/admin/mailcheck/service/{demo.pk}/change/").content.decode()
    for domain in demo.domains.all():
        assert domain.name in page
    # Read only: no save button, no field to type in.
    assert 'name="_save"' not in page
    assert 'name="name"' not in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/mailcheck/service/add/",
        "/admin/mailcheck/service/{service}/delete/",
        "/admin/mailcheck/route/add/",
        "/admin/mailcheck/route/{route}/delete/",
        "/admin/mailcheck/policychange/add/",
        "/admin/mailcheck/policychange/{change}/delete/",
    ],
)
def test_an_editor_cannot_add_or_delete_configuration(
    editor_client: Client, demo: models.Service, url: str
) -> None:
    route = demo.routes.first()
    change = demo.changes.first()
    assert route is not None and change is not None
    url = url.format(service=demo.pk, route=route.pk, change=change.pk)
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert models.Service.objects.filter(pk=demo.pk).exists()
    assert models.Route.objects.filter(pk=route.pk).exists()


def test_an_editor_cannot_change_the_service_by_posting_its_form(
    editor_client: Client, demo: models.Service
) -> None:
    response = editor_client.post(
        f"/admin/mailcheck/service/{demo.pk}/change/",
        {"name": "Changed by an editor", "submission_host": "evil.example", "_save": "1"},
    )
    assert response.status_code == 403
    demo.refresh_from_db()
    assert demo.name != "Changed by an editor"


def test_an_editor_still_writes_notices(editor_client: Client) -> None:
    assert editor_client.get("/admin/portal/notice/add/").status_code == 200


# The admin's own 403 page.


def test_a_page_an_editor_may_not_use_answers_inside_the_admin_with_a_way_back(
    editor_client: Client, demo: models.Service
) -> None:
    response = editor_client.get("/admin/mailcheck/service/add/")

    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="site-name"' in page  # The admin's header, not the public site's error page.
    assert "/static/admin/css/base.css" in page
    assert text("ja", "Your account may not open this page or make this change.") in page
    assert 'href="/admin/"' in page
    assert text("ja", "Back to the admin's home page") in page
    assert '<html lang="ja"' in page


def test_the_403_page_follows_the_admins_language(
    editor_client: Client, demo: models.Service
) -> None:
    editor_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = editor_client.get("/admin/auth/user/").content.decode()
    assert "Your account may not open this page or make this change." in page
    assert "Back to the admin's home page" in page


# One page makes a support editor.


def test_one_form_makes_a_staff_member_in_the_support_editors_group(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "new-editor",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
            "support_editor": "on",
            "_save": "1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new-editor")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [SUPPORT_EDITORS]
    assert user.check_password("a long enough passphrase 42")


def test_the_new_editor_can_sign_in_and_read_the_configuration(
    admin_client: Client, demo: models.Service
) -> None:
    admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "new-editor",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
            "support_editor": "on",
        },
    )
    client = Client()
    client.force_login(User.objects.get(username="new-editor"))
    assert client.get("/admin/mailcheck/service/").status_code == 200
    assert client.get("/admin/mailcheck/service/add/").status_code == 403


def test_unticked_the_form_makes_a_plain_account(admin_client: Client) -> None:
    admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "someone",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    user = User.objects.get(username="someone")
    assert not user.is_staff
    assert not user.groups.exists()


def test_the_add_form_offers_the_role_ticked(admin_client: Client) -> None:
    page = admin_client.get("/admin/auth/user/add/").content.decode()
    checkbox = re.search(r'<input[^>]*name="support_editor"[^>]*>', page)
    assert checkbox is not None
    assert "checked" in checkbox.group(0)
    assert text("ja", "Support editor") in page


# Names in the admin's language.


def test_the_group_is_named_in_the_admins_language(admin_client: Client) -> None:
    japanese = admin_client.get("/admin/auth/group/").content.decode()
    assert text("ja", "Support editors") in japanese

    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    english = admin_client.get("/admin/auth/group/").content.decode()
    assert "Support editors" in english


def test_permissions_are_named_with_the_models_translated_name(admin_client: Client) -> None:
    group = Group.objects.get(name=SUPPORT_EDITORS)
    url = f"/admin/auth/group/{group.pk}/change/"

    japanese = admin_client.get(url).content.decode()
    with translation.override("ja"):
        service = str(models.Service._meta.verbose_name)
        expected = translation.gettext("Can view %(model)s") % {"model": service}
    assert service != "service"  # The model's name has a Japanese translation.
    assert expected in japanese
    assert ">mailcheck | service | Can view service<" not in japanese

    admin_client.post("/i18n/setlang/", {"language": "en", "next": url})
    english = admin_client.get(url).content.decode()
    assert ">Mail service configuration | Can view service</option>" in english


def test_the_user_form_names_permissions_and_groups_in_the_admins_language(
    admin_client: Client, editor: User
) -> None:
    page = admin_client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    with translation.override("ja"):
        notice = str(Notice._meta.verbose_name)
        assert translation.gettext("Can view %(model)s") % {"model": notice} in page
    assert f">{text('ja', 'Support editors')}</option>" in page
