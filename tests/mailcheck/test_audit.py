"""The configuration's audit trail in the admin: each history page and the service's audit page
say what changed (before and after, in words), who changed it (a member of staff or an import
and its file) and when, in Japan time; deactivating the active service warns and asks first."""

from __future__ import annotations

import datetime
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from mailcheck import models
from portal.admin_users import SUPPORT_EDITORS
from tests.mailcheck.test_service_config import review_of, route_edit_form, service_edit_form

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def text(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


@pytest.fixture
def staff(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_superuser("sato.hanako", password="x")


@pytest.fixture
def staff_client(client: Client, staff: User) -> Client:
    client.force_login(staff)
    return client


@pytest.fixture
def english(staff_client: Client) -> Client:
    staff_client.cookies["django_language"] = "en"
    return staff_client


def history_table(page: str, table_id: str) -> str:
    # Up to the paginator under it: the entries' own tables are inside.
    return page.split(f'id="{table_id}"', 1)[1].split('class="paginator', 1)[0]


def entries(table: str) -> list[str]:
    """The table's entries, newest first: each row of the outer table with its details."""
    return table.split('<tr class="desk-history-entry">')[1:]


def cells(html: str) -> list[str]:
    """The text of each cell, tags removed and spaces collapsed."""
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


def change_rows(html: str) -> list[tuple[str, str, str]]:
    """(field, before, after) of each row of the before/after tables in ``html``."""
    rows = re.findall(
        r'<th scope="row">(.*?)</th>\s*<td class="desk-audit-changes__before">(.*?)</td>\s*'
        r'<td class="desk-audit-changes__after">(.*?)</td>',
        html,
        flags=re.S,
    )
    return [(field.strip(), before.strip(), after.strip()) for field, before, after in rows]


def edit_unlisted_address(client: Client, demo: models.Service, new: str) -> Any:
    """Changes the unlisted route's first address in the route's admin page."""
    route = demo.routes.get(kind="unlisted")
    data = route_edit_form(route, [])
    data["addresses-0-address"] = new
    url = f"/admin/mailcheck/route/{route.pk}/change/"
    response = client.post(url, data)
    if response.status_code == 200 and review_of(response) and review_of(response).token:
        response = client.post(url, {**data, "_confirm_impact": review_of(response).token})
    assert response.status_code == 302
    return route


# The history page of one row.


def test_an_admin_edit_of_an_address_shows_before_after_the_staff_member_and_japan_time(
    english: Client, demo: models.Service
) -> None:
    route = edit_unlisted_address(english, demo, "198.51.100.26")
    address = route.addresses.get(address="198.51.100.26")
    # A known moment: 01:30 UTC is 10:30 in Tokyo.
    models.RouteAddress.history.filter(id=address.pk, history_type="~").update(
        history_date=datetime.datetime(2027, 1, 10, 1, 30, tzinfo=UTC)
    )

    page = english.get(f"/admin/mailcheck/route/{route.pk}/history/").content.decode()
    # Addresses are edited on the route's page; their changes are on the service's audit page.
    assert f'href="/admin/mailcheck/service/{demo.pk}/audit/"' in page
    audit = english.get(f"/admin/mailcheck/service/{demo.pk}/audit/").content.decode()
    table = history_table(audit, "configuration-audit")
    entry = next(row for row in entries(table) if "198.51.100.26" in row and "10 January" in row)

    assert change_rows(entry) == [("IP address", "198.51.100.25", "198.51.100.26")]
    assert "sato.hanako" in entry
    assert "10 January 2027, 10:30 JST" in entry
    assert 'datetime="2027-01-10T10:30:00+09:00"' in entry
    assert "None" not in table


def test_the_history_page_of_a_route_names_the_fields_in_the_admins_language(
    staff_client: Client, demo: models.Service
) -> None:
    route = demo.routes.get(kind="listed")
    route.description = ""
    route.save()

    page = staff_client.get(f"/admin/mailcheck/route/{route.pk}/history/").content.decode()
    table = history_table(page, "change-history")

    label = text("ja", "description").capitalize()
    assert (label, "Demo: the outbound servers in the service domains&#x27; SPF record", "—") in (
        change_rows(table)
    )
    assert "None" not in table


def test_the_creation_of_a_route_shows_its_values_and_its_kind_by_name(
    english: Client, demo: models.Service
) -> None:
    route = demo.routes.get(kind="listed")

    page = english.get(f"/admin/mailcheck/route/{route.pk}/history/").content.decode()
    table = history_table(page, "change-history")

    assert "created" in cells(table)
    assert ("Kind", "—", "SPF-listed route") in change_rows(table)
    assert ("HELO name", "—", "mo-listed.iijmio-mail.jp") in change_rows(table)
    assert "None" not in table


def test_a_boolean_reads_yes_or_no_and_a_policy_change_has_a_history_page(
    english: Client, demo: models.Service
) -> None:
    demo.is_active = False
    demo.save()
    change = demo.changes.get()
    change.announced = None
    change.save()

    service_page = english.get(f"/admin/mailcheck/service/{demo.pk}/history/").content.decode()
    change_page = english.get(f"/admin/mailcheck/policychange/{change.pk}/history/")

    assert ("Active", "yes", "no") in change_rows(history_table(service_page, "change-history"))
    assert change_page.status_code == 200
    rows = change_rows(history_table(change_page.content.decode(), "change-history"))
    assert ("Announced on", "24 February 2014", "—") in rows
    assert ("Route when they differ", "—", "Unlisted route") in rows


def test_a_history_page_offers_no_revert(staff_client: Client, demo: models.Service) -> None:
    route = demo.routes.get(kind="listed")
    record = route.history.earliest("history_date")
    url = f"/admin/mailcheck/route/{route.pk}/history/{record.history_id}/"

    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"kind": "listed", "helo": "other.example.jp"})

    assert response.status_code == 403
    route.refresh_from_db()
    assert route.helo == "mo-listed.iijmio-mail.jp"


# Imports.


def test_an_import_is_named_by_its_file_with_its_changes(
    english: Client, demo: models.Service, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    call_command("exportservice", "-o", str(path), stdout=io.StringIO())
    data = json.loads(path.read_text(encoding="utf-8"))
    listed = next(r for r in data["routes"] if r["kind"] == "listed")
    listed["description"] = "Edited in staging"
    data["domains"].remove("x-il.jp")
    imported = tmp_path / "staging-2027.json"
    imported.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("importservice", str(imported), stdout=io.StringIO())

    route = demo.routes.get(kind="listed")
    page = english.get(f"/admin/mailcheck/route/{route.pk}/history/").content.decode()
    newest = entries(history_table(page, "change-history"))[0]
    assert "import: staging-2027.json" in newest
    assert change_rows(newest) == [
        (
            "Description",
            "Demo: the outbound servers in the service domains&#x27; SPF record",
            "Edited in staging",
        )
    ]

    audit = english.get(f"/admin/mailcheck/service/{demo.pk}/audit/").content.decode()
    table = history_table(audit, "configuration-audit")
    deleted = next(row for row in entries(table) if "x-il.jp" in row and "deleted" in row)
    assert "import: staging-2027.json" in deleted
    assert ("Domain", "x-il.jp", "—") in change_rows(deleted)
    assert "None" not in table


# The service's audit page.


def test_the_audit_page_lists_changes_to_every_row_of_the_service_newest_first(
    english: Client, demo: models.Service
) -> None:
    moments = iter(datetime.datetime(2027, 1, day, 0, 0, tzinfo=UTC) for day in (11, 12, 13))
    change = demo.changes.get()
    change.title = "Renamed"
    change.save()
    models.PolicyChange.history.filter(id=change.pk, history_type="~").update(
        history_date=next(moments)
    )
    domain = demo.domains.get(name="e23.jp")
    domain_id = domain.pk
    domain.delete()
    models.ServiceDomain.history.filter(id=domain_id, history_type="-").update(
        history_date=next(moments)
    )
    demo.submission_port = 465
    demo.save()
    models.Service.history.filter(id=demo.pk, history_type="~").update(history_date=next(moments))

    response = english.get(f"/admin/mailcheck/service/{demo.pk}/audit/")

    assert response.status_code == 200
    table = history_table(response.content.decode(), "configuration-audit")
    rows = entries(table)
    assert change_rows(rows[0]) == [("Submission port", "587", "465")]
    assert "13 January 2027" in rows[0]
    assert ("Domain", "e23.jp", "—") in change_rows(rows[1])
    assert "deleted" in rows[1]
    assert change_rows(rows[2]) == [
        ("Title", "Mismatched senders leave through the unlisted route", "Renamed")
    ]
    # Then the rows the demo loader created: the addresses too.
    assert "198.51.100.25" in table
    assert "None" not in table


def test_the_audit_page_is_paginated(english: Client, demo: models.Service) -> None:
    for port in range(1, 60):
        demo.submission_port = port
        demo.save()

    first = english.get(f"/admin/mailcheck/service/{demo.pk}/audit/").content.decode()
    second = english.get(f"/admin/mailcheck/service/{demo.pk}/audit/?p=2").content.decode()

    assert first.count('class="desk-audit-changes__after">59<') == 1
    assert 'href="?p=2"' in first
    assert "59" not in history_table(second, "configuration-audit").split("Submission port")[0]
    assert "mo-listed.iijmio-mail.jp" in second


def test_the_service_form_links_to_its_audit_page(
    staff_client: Client, demo: models.Service
) -> None:
    page = staff_client.get(f"/admin/mailcheck/service/{demo.pk}/change/").content.decode()
    assert f'href="/admin/mailcheck/service/{demo.pk}/audit/"' in page


def test_support_editors_read_the_audit_page(
    client: Client, django_user_model: type[User], demo: models.Service
) -> None:
    editor = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=SUPPORT_EDITORS))
    client.force_login(editor)

    form = client.get(f"/admin/mailcheck/service/{demo.pk}/change/").content.decode()
    response = client.get(f"/admin/mailcheck/service/{demo.pk}/audit/")

    assert f'href="/admin/mailcheck/service/{demo.pk}/audit/"' in form
    assert response.status_code == 200
    assert "mo-listed.iijmio-mail.jp" in response.content.decode()


def test_staff_without_view_permission_cannot_read_the_audit_page(
    client: Client, django_user_model: type[User], demo: models.Service
) -> None:
    client.force_login(django_user_model.objects.create_user("x", password="x", is_staff=True))
    assert client.get(f"/admin/mailcheck/service/{demo.pk}/audit/").status_code == 403


def test_the_audit_page_is_in_japanese_by_default(
    staff_client: Client, demo: models.Service
) -> None:
    page = staff_client.get(f"/admin/mailcheck/service/{demo.pk}/audit/").content.decode()
    table = history_table(page, "configuration-audit")
    assert text("ja", "Date/time") in table
    assert text("ja", "IP address") in table
    assert "None" not in table


# Deactivating the active service.


def test_the_active_checkbox_warns_before_the_save(english: Client, demo: models.Service) -> None:
    page = english.get(f"/admin/mailcheck/service/{demo.pk}/change/").content.decode()
    assert "Unticking this takes the check offline for every customer" in page


def test_deactivating_warns_that_the_check_goes_offline_for_every_customer_and_needs_a_tick(
    english: Client, demo: models.Service
) -> None:
    url = f"/admin/mailcheck/service/{demo.pk}/change/"
    data = service_edit_form(demo)
    del data["is_active"]

    response = english.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    warning = html.split('id="configuration-offline">', 1)[1].split("</p>", 1)[0]
    assert "takes the check offline for every customer" in warning
    assert "told it is unavailable" in warning
    assert "I have reviewed the impact: take the check offline for every customer" in html
    demo.refresh_from_db()
    assert demo.is_active

    # Saving again without the tick still saves nothing.
    assert english.post(url, data).status_code == 200
    demo.refresh_from_db()
    assert demo.is_active

    response = english.post(url, {**data, "_confirm_impact": review_of(response).token})

    assert response.status_code == 302
    demo.refresh_from_db()
    assert not demo.is_active
