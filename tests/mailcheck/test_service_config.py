"""The service's configuration: models, admin, export/import and the demo loader."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from mailcheck import models
from mailcheck.policy import RouteKind
from mailcheck.services import current_service

pytestmark = pytest.mark.django_db

DEMO_SERVICE = Path(__file__).resolve().parents[2] / "mailcheck" / "demo" / "service.json"
DEMO_NAME = "mioセーフティメール (demo)"


def demo_document() -> dict[str, Any]:
    return json.loads(DEMO_SERVICE.read_text(encoding="utf-8"))


def export_text(*args: str) -> str:
    out = io.StringIO()
    call_command("exportservice", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: object, name: str = "service.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def row_counts() -> dict[str, int]:
    return {
        "services": models.Service.objects.count(),
        "domains": models.ServiceDomain.objects.count(),
        "routes": models.Route.objects.count(),
        "addresses": models.RouteAddress.objects.count(),
        "changes": models.PolicyChange.objects.count(),
    }


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


# --- export and import -------------------------------------------------------------------------


def test_the_export_of_the_demo_service_is_its_document(demo: models.Service) -> None:
    exported = json.loads(export_text())
    expected = demo_document()

    assert exported.pop("active") is True
    # Domains come out in name order; the order carries no meaning.
    assert sorted(exported.pop("domains")) == sorted(expected.pop("domains"))
    assert exported == expected


def test_export_then_import_gives_back_the_same_service(
    demo: models.Service, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    call_command("exportservice", "--name", DEMO_NAME, "-o", str(path), stdout=io.StringIO())
    exported = path.read_text(encoding="utf-8")
    before = current_service()
    models.Service.objects.all().delete()
    assert row_counts()["services"] == 0

    out = io.StringIO()
    call_command("importservice", str(path), stdout=out)

    assert DEMO_NAME in out.getvalue()
    assert export_text() == exported
    assert current_service() == before
    assert models.Service.objects.get().is_active


def test_import_replaces_the_service_of_the_same_name(demo: models.Service, tmp_path: Path) -> None:
    data = demo_document()
    data["domains"] = ["iijmio-mail.jp"]
    data["routes"][1]["addresses"] = ["203.0.113.9"]

    call_command("importservice", str(write(tmp_path, data)), stdout=io.StringIO())

    assert models.Service.objects.count() == 1
    service = current_service()
    assert service.domains == ("iijmio-mail.jp",)
    assert service.route(RouteKind.UNLISTED).addresses == ("203.0.113.9",)
    assert service.route(RouteKind.LISTED).addresses == ("192.0.2.25", "2001:db8:25::25")


def test_a_second_imported_service_is_not_made_active(demo: models.Service, tmp_path: Path) -> None:
    data = demo_document()
    data["name"] = "staging copy"
    data["domains"] = ["staging.example.jp"]

    call_command("importservice", str(write(tmp_path, data)), stdout=io.StringIO())

    assert models.Service.objects.get(name="staging copy").is_active is False
    assert current_service().name == DEMO_NAME


def _bad_ip(d: dict[str, Any]) -> None:
    d["routes"][1]["addresses"] = ["198.51.100.25", "999.1.2.3"]


def _bad_domain(d: dict[str, Any]) -> None:
    d["domains"].append("bad_domain!.jp")


def _no_address(d: dict[str, Any]) -> None:
    d["routes"][1]["addresses"] = []


def _bad_helo(d: dict[str, Any]) -> None:
    d["routes"][0]["helo"] = "not a host name"


def _bad_format(d: dict[str, Any]) -> None:
    d["format"] = "something-else/1"


def _missing_routes(d: dict[str, Any]) -> None:
    del d["routes"]


def _one_route_only(d: dict[str, Any]) -> None:
    d["routes"] = d["routes"][:1]


def _bad_kind(d: dict[str, Any]) -> None:
    d["routes"][1]["kind"] = "sideways"


def _announced_late(d: dict[str, Any]) -> None:
    d["changes"][0]["announced"] = "2014-04-01"


def _bad_date(d: dict[str, Any]) -> None:
    d["changes"][0]["effective"] = "2014-02-30"


def _bad_port(d: dict[str, Any]) -> None:
    d["submission_port"] = "five hundred"


BAD_DOCUMENTS = [
    # (change to the document, words the error must contain)
    (_bad_ip, "IP"),
    (_bad_domain, "bad_domain!.jp"),
    (_no_address, "no address"),
    (_bad_helo, "not a host name"),
    (_bad_format, "format"),
    (_missing_routes, "routes"),
    (_one_route_only, "unlisted"),
    (_bad_kind, "sideways"),
    (_announced_late, "announced"),
    (_bad_date, "2014-02-30"),
    (_bad_port, "five hundred"),
]


@pytest.mark.parametrize(("spoil", "words"), BAD_DOCUMENTS)
def test_a_bad_document_writes_nothing_and_names_the_problem(
    demo: models.Service, tmp_path: Path, spoil: Any, words: str
) -> None:
    exported = export_text()
    counts = row_counts()
    data = demo_document()
    spoil(data)

    with pytest.raises(CommandError) as raised, translation.override("en"):
        call_command("importservice", str(write(tmp_path, data)), stdout=io.StringIO())

    assert "Nothing was imported" in str(raised.value)
    assert words.lower() in str(raised.value).lower()
    assert row_counts() == counts
    assert export_text() == exported


@pytest.mark.parametrize(("spoil", "words"), BAD_DOCUMENTS[:4])
def test_a_bad_new_service_creates_no_rows(tmp_path: Path, spoil: Any, words: str) -> None:
    data = demo_document()
    spoil(data)

    with pytest.raises(CommandError):
        call_command("importservice", str(write(tmp_path, data)), stdout=io.StringIO())

    assert row_counts() == dict.fromkeys(row_counts(), 0)


@pytest.mark.parametrize(
    ("content", "words"),
    [("{not json", "not valid JSON: line 1, column 2"), ("[1, 2]", "not a service export")],
)
def test_a_file_that_is_not_an_export_is_refused(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=words), translation.override("en"):
        call_command("importservice", str(path), stdout=io.StringIO())
    assert row_counts()["services"] == 0


def test_a_missing_file_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"nothere\.json"):
        call_command("importservice", str(tmp_path / "nothere.json"))


def test_export_of_an_unknown_service_is_refused(demo: models.Service) -> None:
    with pytest.raises(CommandError):
        call_command("exportservice", "--name", "no such service", stdout=io.StringIO())


# --- model validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("example.jp", "example.jp"),
        ("Example.JP.", "example.jp"),
        (" ＥＸＡＭＰＬＥ．ＪＰ ", "example.jp"),
        ("例え.jp", "xn--r8jz45g.jp"),
    ],
)
def test_a_domain_is_stored_normalised(demo: models.Service, typed: str, stored: str) -> None:
    domain = models.ServiceDomain(service=demo, name=typed)

    domain.full_clean()
    domain.save()

    assert models.ServiceDomain.objects.get(pk=domain.pk).name == stored


@pytest.mark.parametrize(
    "typed", ["localhost", "bad_domain.jp", "-x.jp", "a..jp", "x" * 64 + ".jp"]
)
def test_a_bad_domain_is_refused(demo: models.Service, typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        models.ServiceDomain(service=demo, name=typed).full_clean()

    assert any(typed in message for message in raised.value.messages)
    assert not models.ServiceDomain.objects.filter(name=typed).exists()


def test_a_domain_belongs_to_one_service_even_when_typed_differently(
    demo: models.Service,
) -> None:
    with pytest.raises(ValidationError):
        models.ServiceDomain(service=demo, name="IIJmio-Mail.JP.").full_clean()


@pytest.mark.parametrize("typed", ["999.1.2.3", "192.0.2", "mo.example.jp", "192.0.2.0/24", ""])
def test_a_bad_route_address_is_refused(demo: models.Service, typed: str) -> None:
    route = demo.routes.get(kind="listed")

    with pytest.raises(ValidationError) as raised:
        models.RouteAddress(route=route, address=typed).full_clean()

    assert "address" in raised.value.message_dict


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:DB8:0:0::7", "2001:db8::7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_a_route_address_is_stored_in_its_canonical_form(
    demo: models.Service, typed: str, stored: str
) -> None:
    address = models.RouteAddress(route=demo.routes.get(kind="listed"), address=typed)

    address.full_clean()
    address.save()

    assert models.RouteAddress.objects.get(pk=address.pk).address == stored


def test_the_helo_name_and_submission_host_are_normalised(demo: models.Service) -> None:
    demo.submission_host = "MBOX.IIJmio-Mail.JP."
    demo.full_clean()
    route = demo.routes.get(kind="listed")
    route.helo = "Mo-Listed.IIJmio-Mail.JP."
    route.full_clean()

    assert demo.submission_host == "mbox.iijmio-mail.jp"
    assert route.helo == "mo-listed.iijmio-mail.jp"


def test_only_one_service_can_be_active(demo: models.Service) -> None:
    second = models.Service(name="second", submission_host="smtp.example.jp", is_active=True)

    with pytest.raises(ValidationError):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()

    second.is_active = False
    second.full_clean()
    second.save()
    assert models.Service.objects.filter(is_active=True).count() == 1


def test_a_change_cannot_be_announced_after_it_takes_effect(demo: models.Service) -> None:
    change = demo.changes.get()
    change.announced = change.effective.replace(day=change.effective.day + 1)

    with pytest.raises(ValidationError) as raised:
        change.full_clean()

    assert "announced" in raised.value.message_dict


# --- loaddemo ------------------------------------------------------------------------------


def test_loaddemo_is_idempotent() -> None:
    call_command("loaddemo", stdout=io.StringIO())
    counts = row_counts()
    exported = export_text()

    out = io.StringIO()
    call_command("loaddemo", stdout=out)

    assert row_counts() == counts
    assert export_text() == exported
    assert get_user_model().objects.filter(username="demo-admin").count() == 1
    assert counts["services"] == 1
    assert counts["addresses"] == 4
    assert "Loaded the demo service" not in out.getvalue()


def test_loaddemo_leaves_an_existing_configuration_alone(tmp_path: Path) -> None:
    data = demo_document()
    data["name"] = "production"
    call_command("importservice", str(write(tmp_path, data)), stdout=io.StringIO())

    call_command("loaddemo", "--no-admin", stdout=io.StringIO())

    assert list(models.Service.objects.values_list("name", flat=True)) == ["production"]
    assert not get_user_model().objects.filter(username="demo-admin").exists()


# --- admin ---------------------------------------------------------------------------------


def admin_urls(service: models.Service) -> list[str]:
    route = service.routes.get(kind="listed")
    change = service.changes.get()
    return [
        "/admin/mailcheck/",
        "/admin/mailcheck/service/",
        "/admin/mailcheck/service/add/",
        f"/admin/mailcheck/service/{service.pk}/change/",
        "/admin/mailcheck/service/?q=iijmio",
        "/admin/mailcheck/service/?is_active__exact=1",
        "/admin/mailcheck/route/",
        "/admin/mailcheck/route/add/",
        f"/admin/mailcheck/route/add/?service={service.pk}",
        f"/admin/mailcheck/route/{route.pk}/change/",
        "/admin/mailcheck/route/?q=192.0.2",
        "/admin/mailcheck/route/?kind__exact=unlisted",
        "/admin/mailcheck/policychange/",
        f"/admin/mailcheck/policychange/{change.pk}/change/",
        "/admin/mailcheck/policychange/?effective__year=2014",
        "/admin/mailcheck/policychange/?q=unlisted",
    ]


def test_every_admin_page_of_the_checker_loads(admin_client: Client, demo: models.Service) -> None:
    for url in admin_urls(demo):
        response = admin_client.get(url)
        assert response.status_code == 200, url


def test_the_service_page_lists_its_routes_with_their_addresses(
    admin_client: Client, demo: models.Service
) -> None:
    html = admin_client.get(f"/admin/mailcheck/service/{demo.pk}/change/").content.decode()

    for address in ("192.0.2.25", "2001:db8:25::25", "198.51.100.25", "2001:db8:ff::25"):
        assert address in html
    route = demo.routes.get(kind="unlisted")
    assert f'href="/admin/mailcheck/route/{route.pk}/change/"' in html


@pytest.fixture
def admin_client(admin_client: Client, settings: Any) -> Client:
    # The admin speaks each member of staff's chosen language (a cookie); these tests read its
    # English messages.
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


@pytest.fixture
def empty_service() -> models.Service:
    return models.Service.objects.create(
        name="empty", submission_host="smtp.example.jp", is_active=False
    )


def route_form(service: models.Service, addresses: list[str], total: int) -> dict[str, str]:
    data = {
        "service": str(service.pk),
        "kind": "listed",
        "helo": "mo.example.jp",
        "description": "",
        "addresses-TOTAL_FORMS": str(total),
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "1",
        "addresses-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i in range(total):
        data[f"addresses-{i}-address"] = addresses[i] if i < len(addresses) else ""
    return data


def test_the_admin_saves_a_route_with_an_address(
    admin_client: Client, empty_service: models.Service
) -> None:
    response = admin_client.post(
        "/admin/mailcheck/route/add/", route_form(empty_service, ["203.0.113.5"], 1)
    )

    assert response.status_code == 302
    route = models.Route.objects.get(service=empty_service)
    assert [a.address for a in route.addresses.all()] == ["203.0.113.5"]


def assert_refused_with_a_message(response: Any) -> None:
    assert response.status_code == 200, "the admin saved a route without addresses"
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() or any(formset.errors)
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize(
    "total_forms",
    [
        1,  # the blank row the admin shows
        0,  # no row at all, as a browser sends once the row is removed
    ],
)
def test_the_admin_refuses_a_route_without_addresses(
    admin_client: Client, empty_service: models.Service, total_forms: int
) -> None:
    response = admin_client.post(
        "/admin/mailcheck/route/add/", route_form(empty_service, [], total_forms)
    )

    assert_refused_with_a_message(response)
    assert not models.Route.objects.filter(service=empty_service).exists()


def test_the_admin_refuses_to_delete_the_last_address_of_a_route(
    admin_client: Client, demo: models.Service
) -> None:
    route = demo.routes.get(kind="unlisted")
    addresses = list(route.addresses.all())
    data = {
        "service": str(demo.pk),
        "kind": route.kind,
        "helo": route.helo,
        "description": route.description,
        "addresses-TOTAL_FORMS": str(len(addresses)),
        "addresses-INITIAL_FORMS": str(len(addresses)),
        "addresses-MIN_NUM_FORMS": "1",
        "addresses-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, address in enumerate(addresses):
        data[f"addresses-{i}-id"] = str(address.pk)
        data[f"addresses-{i}-route"] = str(route.pk)
        data[f"addresses-{i}-address"] = address.address
        data[f"addresses-{i}-DELETE"] = "on"

    response = admin_client.post(f"/admin/mailcheck/route/{route.pk}/change/", data)

    assert route.addresses.count() == len(addresses)
    # A route without addresses would take the whole check page down (503).
    assert Client().get("/en/check/").status_code == 200
    assert_refused_with_a_message(response)


def test_the_admin_refuses_a_bad_address_with_a_message_on_it(
    admin_client: Client, empty_service: models.Service
) -> None:
    response = admin_client.post(
        "/admin/mailcheck/route/add/", route_form(empty_service, ["999.1.2.3"], 1)
    )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "address" in formset.forms[0].errors
    assert not models.Route.objects.filter(service=empty_service).exists()


# --- the admin's configuration review ------------------------------------------------------


def route_edit_form(route: models.Route, new_addresses: list[str]) -> dict[str, str]:
    """The route's admin page as a browser posts it, with rows added to the address inline."""
    existing = list(route.addresses.all())
    data = route_form(route.service, [], 0)
    data.update(
        {
            "kind": route.kind,
            "helo": route.helo,
            "description": route.description,
            "addresses-TOTAL_FORMS": str(len(existing) + len(new_addresses)),
            "addresses-INITIAL_FORMS": str(len(existing)),
        }
    )
    for i, row in enumerate(existing):
        data[f"addresses-{i}-id"] = str(row.pk)
        data[f"addresses-{i}-route"] = str(route.pk)
        data[f"addresses-{i}-address"] = row.address
    for j, address in enumerate(new_addresses, start=len(existing)):
        data[f"addresses-{j}-route"] = str(route.pk)
        data[f"addresses-{j}-address"] = address
    return data


def service_edit_form(service: models.Service, **fields: str) -> dict[str, str]:
    """The service's admin page as a browser posts it, unchanged unless ``fields`` say so."""
    data = {
        "name": service.name,
        "submission_host": service.submission_host,
        "submission_port": str(service.submission_port),
        "submission_security": service.submission_security,
        "incoming_protocol": service.incoming_protocol,
        "incoming_host": service.incoming_host,
        "incoming_port": str(service.incoming_port),
        "incoming_security": service.incoming_security,
        "_save": "Save",
    }
    if service.is_active:
        data["is_active"] = "on"
    domains = list(service.domains.all())
    changes = list(service.changes.all())
    for prefix, rows in (("domains", domains), ("changes", changes)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    for i, domain in enumerate(domains):
        data.update({f"domains-{i}-id": str(domain.pk), f"domains-{i}-service": str(service.pk)})
        data[f"domains-{i}-name"] = domain.name
    for i, change in enumerate(changes):
        data.update({f"changes-{i}-id": str(change.pk), f"changes-{i}-service": str(service.pk)})
        data[f"changes-{i}-effective"] = change.effective.isoformat()
        data[f"changes-{i}-announced"] = change.announced.isoformat() if change.announced else ""
        data[f"changes-{i}-title"] = change.title
        data[f"changes-{i}-matched_route"] = change.matched_route
        data[f"changes-{i}-mismatched_route"] = change.mismatched_route
    data.update(fields)
    return data


def review_of(response: Any) -> Any:
    return response.context["configuration_review"]


def test_the_admin_refuses_an_address_not_in_spf_on_the_listed_route_with_the_error_on_its_row(
    admin_client: Client, demo: models.Service
) -> None:
    route = demo.routes.get(kind="listed")

    with translation.override("en"):
        response = admin_client.post(
            f"/admin/mailcheck/route/{route.pk}/change/",
            route_edit_form(route, ["198.51.100.26"]),
        )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors == {}
    [message] = formset.forms[2].errors["address"]
    assert "198.51.100.26 is on the SPF-listed route but does not pass SPF" in message
    assert "iijmio-mail.jp (softfail)" in message
    assert "configuration-review" in response.content.decode()
    assert route.addresses.count() == 2


def test_the_admin_refuses_an_address_on_both_routes(
    admin_client: Client, demo: models.Service
) -> None:
    route = demo.routes.get(kind="unlisted")

    with translation.override("en"):
        response = admin_client.post(
            f"/admin/mailcheck/route/{route.pk}/change/", route_edit_form(route, ["192.0.2.25"])
        )

    formset = response.context["inline_admin_formsets"][0].formset
    assert "192.0.2.25 is on both routes" in formset.forms[2].errors["address"][0]
    assert route.addresses.count() == 2


def test_an_edit_that_changes_results_shows_the_impact_and_saves_once_confirmed(
    admin_client: Client, demo: models.Service
) -> None:
    url = f"/admin/mailcheck/service/{demo.pk}/change/"
    # Mismatched senders would keep the listed route after the change.
    data = service_edit_form(demo, **{"changes-0-mismatched_route": "listed"})

    with translation.override("en"):
        response = admin_client.post(url, data)

    assert response.status_code == 200
    assert demo.changes.get().mismatched_route == "unlisted"
    review = review_of(response)
    changed = [row for row in review.impact if row.changed]
    assert len(changed) == 5  # the mismatched sample of each domain
    row = next(r for r in changed if r.domain == "iijmio-mail.jp")
    assert (row.current.before, row.current.after) == ("pass", "softfail")
    assert (row.proposed.before, row.proposed.after) == ("pass", "pass")
    html = response.content.decode()
    assert 'id="configuration-impact"' in html
    assert "info@iijmio-mail.jp" in html
    assert "I have reviewed the impact" in html
    assert f'name="_confirm_impact" value="{review.token}"' in html

    response = admin_client.post(url, {**data, "_confirm_impact": review.token})

    assert response.status_code == 302
    assert demo.changes.get().mismatched_route == "listed"


def test_a_confirmation_of_another_edit_does_not_count(
    admin_client: Client, demo: models.Service
) -> None:
    url = f"/admin/mailcheck/service/{demo.pk}/change/"
    first = admin_client.post(
        url, service_edit_form(demo, **{"changes-0-mismatched_route": "listed"})
    )
    token = review_of(first).token

    response = admin_client.post(
        url,
        {
            **service_edit_form(demo, **{"changes-0-matched_route": "unlisted"}),
            "_confirm_impact": token,
        },
    )

    assert response.status_code == 200
    assert demo.changes.get().matched_route == "listed"


def test_an_edit_that_changes_no_result_saves_at_once(
    admin_client: Client, demo: models.Service
) -> None:
    response = admin_client.post(
        f"/admin/mailcheck/service/{demo.pk}/change/",
        service_edit_form(demo, **{"changes-0-title": "Renamed"}),
    )

    assert response.status_code == 302
    assert demo.changes.get().title == "Renamed"


def test_deactivating_the_service_asks_for_confirmation(
    admin_client: Client, demo: models.Service
) -> None:
    url = f"/admin/mailcheck/service/{demo.pk}/change/"
    data = service_edit_form(demo)
    del data["is_active"]

    with translation.override("en"):
        response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "takes the check offline" in response.content.decode()
    demo.refresh_from_db()
    assert demo.is_active

    response = admin_client.post(url, {**data, "_confirm_impact": review_of(response).token})

    assert response.status_code == 302
    demo.refresh_from_db()
    assert not demo.is_active


def test_when_dns_cannot_answer_a_checkbox_lets_the_save_through(
    admin_client: Client, demo: models.Service, settings: Any, servfail_dns_server: Any
) -> None:
    settings.MAILCHECK_DNS = f"live:{servfail_dns_server.address}"
    route = demo.routes.get(kind="listed")
    url = f"/admin/mailcheck/route/{route.pk}/change/"
    data = route_edit_form(route, ["192.0.2.26"])

    with translation.override("en"):
        response = admin_client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "DNS did not answer" in html
    assert "Save without DNS verification" in html
    review = review_of(response)
    assert review.needs_dns_confirmation
    assert route.addresses.count() == 2

    response = admin_client.post(url, {**data, "_confirm_unverified": review.token})

    assert response.status_code == 302
    assert route.addresses.filter(address="192.0.2.26").exists()


def test_an_admin_save_is_in_the_history(admin_client: Client, demo: models.Service) -> None:
    admin_client.post(
        f"/admin/mailcheck/service/{demo.pk}/change/",
        service_edit_form(demo, **{"changes-0-title": "Renamed"}),
    )

    record = models.PolicyChange.history.filter(title="Renamed").get()
    assert record.history_user is not None
    assert admin_client.get(f"/admin/mailcheck/service/{demo.pk}/history/").status_code == 200


def test_policy_changes_are_read_only_outside_their_service_page(
    admin_client: Client, demo: models.Service
) -> None:
    change = demo.changes.get()
    url = f"/admin/mailcheck/policychange/{change.pk}/change/"

    assert admin_client.get("/admin/mailcheck/policychange/add/").status_code == 403
    assert admin_client.get(f"/admin/mailcheck/policychange/{change.pk}/delete/").status_code == 403
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"effective": "2027-01-10", "matched_route": "listed"})
    change.refresh_from_db()
    assert change.effective.isoformat() == "2014-03-25"


def test_the_active_service_and_its_routes_cannot_be_deleted_without_deactivating_first(
    admin_client: Client, demo: models.Service
) -> None:
    route = demo.routes.get(kind="unlisted")

    assert admin_client.get(f"/admin/mailcheck/route/{route.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/mailcheck/service/{demo.pk}/delete/").status_code == 403
    assert models.Route.objects.filter(pk=route.pk).exists()
