"""importservice: refused documents leave the configuration byte-identical, an unchanged export
changes nothing (notice links included), --dry-run prints the differences, rows are updated in
place and every import is in the history with its file name."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from mailcheck import models
from mailcheck.services import current_service
from portal.models import Notice

pytestmark = pytest.mark.django_db

DEMO_NAME = "mioセーフティメール (demo)"
HISTORIES = (
    models.Service.history,
    models.ServiceDomain.history,
    models.Route.history,
    models.RouteAddress.history,
    models.PolicyChange.history,
)


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def export_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "current-export.json"
    call_command("exportservice", "-o", str(path), stdout=io.StringIO())
    return path.read_bytes()


def exported(tmp_path: Path) -> dict[str, Any]:
    return json.loads(export_bytes(tmp_path))


def history_rows() -> int:
    return sum(history.count() for history in HISTORIES)


def run_import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("importservice", str(path), *args, stdout=out)
    return out.getvalue()


def write_json(tmp_path: Path, data: Any, name: str = "service.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def listed(data: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in data["routes"] if r["kind"] == "listed")


def unlisted(data: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in data["routes"] if r["kind"] == "unlisted")


# --- the round trip -----------------------------------------------------------------------------


def test_reimporting_an_unchanged_export_changes_nothing_and_keeps_notice_links(
    demo: models.Service, tmp_path: Path
) -> None:
    notice = Notice.objects.create(slug="links", title_ja="お知らせ", body_ja="本文")
    notice.service_domains.set(demo.domains.all())
    assert notice.service_domains.count() == 5
    before = export_bytes(tmp_path)
    ids = sorted(models.ServiceDomain.objects.values_list("pk", flat=True))
    rows = history_rows()
    path = tmp_path / "service.json"
    path.write_bytes(before)

    out = run_import(path)

    assert "nothing was changed" in out
    assert notice.service_domains.count() == 5
    assert sorted(models.ServiceDomain.objects.values_list("pk", flat=True)) == ids
    assert export_bytes(tmp_path) == before
    assert history_rows() == rows


def test_an_import_updates_rows_in_place_and_is_in_the_history_with_its_file_name(
    demo: models.Service, tmp_path: Path
) -> None:
    notice = Notice.objects.create(slug="links", title_ja="お知らせ", body_ja="本文")
    notice.service_domains.set(demo.domains.all())
    kept = demo.domains.get(name="iijmio-mail.jp").pk
    data = exported(tmp_path)
    data["domains"].remove("x-il.jp")
    unlisted(data)["addresses"].append("198.51.100.26")
    listed(data)["description"] = "edited"
    last = [
        history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
        for history in HISTORIES
    ]

    out = run_import(write_json(tmp_path, data, "staging-2027.json"))

    assert "Imported" in out
    assert demo.domains.get(name="iijmio-mail.jp").pk == kept
    assert notice.service_domains.count() == 4
    new_rows = [
        row
        for history, since in zip(HISTORIES, last, strict=True)
        for row in history.filter(history_id__gt=since)
    ]
    # The domain, the address, the route's description.
    assert len(new_rows) == 3
    assert {row.history_change_reason for row in new_rows} == {"importservice staging-2027.json"}
    assert models.ServiceDomain.history.filter(
        history_type="-", name="x-il.jp", history_change_reason="importservice staging-2027.json"
    ).exists()
    assert models.RouteAddress.history.filter(history_type="+", address="198.51.100.26").exists()
    assert models.Route.history.filter(history_type="~", description="edited").exists()
    assert exported(tmp_path) == data


def test_the_export_holds_every_field_and_active_too(demo: models.Service, tmp_path: Path) -> None:
    data = exported(tmp_path)

    assert data["active"] is True
    assert set(data) == {
        "format",
        "name",
        "active",
        "submission_host",
        "submission_port",
        "submission_security",
        "incoming_protocol",
        "incoming_host",
        "incoming_port",
        "incoming_security",
        "received_auth_pattern",
        "domains",
        "routes",
        "changes",
    }
    assert set(listed(data)) == {"kind", "helo", "description", "addresses"}
    assert set(data["changes"][0]) == {
        "title",
        "announced",
        "effective",
        "matched_route",
        "mismatched_route",
    }


# --- the active flag ----------------------------------------------------------------------------


def test_importing_an_inactive_copy_does_not_take_the_live_service_offline(
    demo: models.Service, tmp_path: Path
) -> None:
    data = exported(tmp_path)
    data["active"] = False

    out = run_import(write_json(tmp_path, data))

    assert models.Service.objects.get(name=DEMO_NAME).is_active
    assert "stays active" in out
    assert current_service().name == DEMO_NAME


def test_a_new_service_marked_inactive_is_saved_inactive(tmp_path: Path) -> None:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    data = exported(tmp_path)
    models.Service.objects.all().delete()
    data["active"] = False

    run_import(write_json(tmp_path, data))

    assert models.Service.objects.get().is_active is False


# --- refused imports ----------------------------------------------------------------------------


def _unlisted_address_on_listed_route(data: dict[str, Any]) -> None:
    listed(data)["addresses"].append("198.51.100.26")


def _no_domains(data: dict[str, Any]) -> None:
    data["domains"] = []


def _same_address_on_two_routes(data: dict[str, Any]) -> None:
    unlisted(data)["addresses"].append("192.0.2.25")


def _bad_address(data: dict[str, Any]) -> None:
    listed(data)["addresses"].append("198.51.100.300")


def _domain_of_another_kind(data: dict[str, Any]) -> None:
    data["domains"].append(42)


def _same_domain_twice(data: dict[str, Any]) -> None:
    data["domains"].append("IIJmio-Mail.JP")


REFUSED = [
    pytest.param(
        _unlisted_address_on_listed_route,
        "routes[0].addresses[2]: 198.51.100.26 is on the SPF-listed route but does not pass SPF "
        "for e23.jp (softfail), iijmio-mail.jp (softfail)",
        id="unlisted address on the listed route",
    ),
    pytest.param(_no_domains, "domains: The service needs at least one domain", id="no domains"),
    pytest.param(
        _same_address_on_two_routes,
        "routes[1].addresses[2]: 192.0.2.25 is on both routes",
        id="same address on two routes",
    ),
    pytest.param(
        _bad_address,
        "routes[0].addresses[2]: 198.51.100.300 is not an IP address",
        id="bad address",
    ),
    pytest.param(
        _domain_of_another_kind, "domains[5]: Expected text, found 42", id="domain not text"
    ),
    pytest.param(_same_domain_twice, "domains[5]: iijmio-mail.jp is listed twice", id="twice"),
]


@pytest.mark.parametrize(("spoil", "message"), REFUSED)
def test_a_refused_import_leaves_the_configuration_byte_identical(
    demo: models.Service, tmp_path: Path, spoil: Callable[[dict[str, Any]], None], message: str
) -> None:
    before = export_bytes(tmp_path)
    rows = history_rows()
    data = json.loads(before)
    spoil(data)

    with pytest.raises(CommandError) as raised:
        run_import(write_json(tmp_path, data))

    assert "Nothing was imported" in str(raised.value)
    assert message in str(raised.value)
    assert export_bytes(tmp_path) == before
    assert history_rows() == rows


def test_a_file_that_is_not_utf8_is_refused_with_the_encoding_named(
    demo: models.Service, tmp_path: Path
) -> None:
    before = export_bytes(tmp_path)
    path = tmp_path / "sjis.json"
    path.write_bytes(before.decode("utf-8").replace("edited", "x").encode("shift_jis"))

    with pytest.raises(CommandError) as raised:
        run_import(path)

    text = str(raised.value)
    assert "not UTF-8" in text
    assert "line 3" in text  # the service's Japanese name is on the third line
    assert "Traceback" not in text
    assert export_bytes(tmp_path) == before


def test_a_file_with_a_byte_order_mark_is_read(demo: models.Service, tmp_path: Path) -> None:
    before = export_bytes(tmp_path)
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + before)

    assert "nothing was changed" in run_import(path)


def test_bad_json_is_refused_with_its_line_and_column(demo: models.Service, tmp_path: Path) -> None:
    before = export_bytes(tmp_path)
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "mailcheck-service/1",\n  "name" "x"\n}\n', encoding="utf-8")

    with pytest.raises(CommandError, match=r"not valid JSON: line 3, column 10"):
        run_import(path)

    assert export_bytes(tmp_path) == before


# --- DNS that cannot answer ---------------------------------------------------------------------


def test_an_import_dns_cannot_verify_needs_accept_unverified(
    demo: models.Service, tmp_path: Path, settings: Any, servfail_dns_server: Any
) -> None:
    settings.MAILCHECK_DNS = f"live:{servfail_dns_server.address}"
    before = export_bytes(tmp_path)
    data = json.loads(before)
    listed(data)["addresses"].append("192.0.2.26")
    path = write_json(tmp_path, data)

    with pytest.raises(CommandError) as raised:
        run_import(path)

    assert "routes[0].addresses[2]: DNS did not answer" in str(raised.value)
    assert "--accept-unverified" in str(raised.value)
    assert export_bytes(tmp_path) == before

    out = run_import(path, "--accept-unverified")

    assert "Not verified" in out
    assert "192.0.2.26" in listed(exported(tmp_path))["addresses"]


# --- dry run ------------------------------------------------------------------------------------


def test_dry_run_prints_the_differences_and_changes_nothing(
    demo: models.Service, tmp_path: Path
) -> None:
    before = export_bytes(tmp_path)
    rows = history_rows()
    data = json.loads(before)
    data["domains"].remove("x-il.jp")
    unlisted(data)["addresses"].remove("2001:db8:ff::25")
    unlisted(data)["helo"] = "mo-unlisted2.iijmio-mail.jp"
    data["changes"][0]["title"] = "Renamed"
    data["changes"].append(
        {
            "title": "Later",
            "announced": None,
            "effective": "2027-01-10",
            "matched_route": "listed",
            "mismatched_route": "listed",
        }
    )
    data["submission_port"] = 465

    out = run_import(write_json(tmp_path, data), "--dry-run")

    for line in (
        "~ submission_port: 587 → 465",
        "- domains: x-il.jp",
        "~ routes[unlisted].helo: mo-unlisted.iijmio-mail.jp → mo-unlisted2.iijmio-mail.jp",
        "- routes[unlisted].addresses: 2001:db8:ff::25",
        "~ changes[2014-03-25].title: Mismatched senders leave through the unlisted route → "
        "Renamed",
        "+ changes[2027-01-10]: Later",
        "Dry run: nothing was changed.",
    ):
        assert line in out
    assert export_bytes(tmp_path) == before
    assert history_rows() == rows


def test_dry_run_of_a_refused_file_prints_the_errors(demo: models.Service, tmp_path: Path) -> None:
    data = exported(tmp_path)
    data["domains"].append("example.com")

    with pytest.raises(CommandError) as raised:
        run_import(write_json(tmp_path, data), "--dry-run")

    assert "does not pass SPF for example.com (none)" in str(raised.value)
