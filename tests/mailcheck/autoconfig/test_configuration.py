"""The incoming server and the connection security in the stored configuration: the migration
fills them for an existing service, an export written before them still imports with the
defaults, and a bad value is refused with its place in the file."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from mailcheck import models
from mailcheck.policy import IncomingProtocol, Security
from mailcheck.services import current_service

DEMO = Path(__file__).resolve().parents[3] / "mailcheck" / "demo" / "service.json"
NEW_KEYS = (
    "submission_security",
    "incoming_protocol",
    "incoming_host",
    "incoming_port",
    "incoming_security",
)
BEFORE = ("mailcheck", "0002_configuration_history")
AFTER = ("mailcheck", "0003_service_mail_programs")


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_the_incoming_server_on_the_submission_host() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("mailcheck", "Service")
    old.objects.create(name="Old", submission_host="smtp.example.jp", submission_port=587)
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([AFTER])
        new = executor.loader.project_state([AFTER]).apps.get_model("mailcheck", "Service")
        row = new.objects.get(name="Old")
        assert row.incoming_host == "smtp.example.jp"
        assert (row.incoming_protocol, row.incoming_port) == ("pop3", 110)
        assert (row.submission_security, row.incoming_security) == ("starttls", "starttls")
    finally:
        call_command("migrate", verbosity=0)


def old_export() -> dict[str, Any]:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    for key in NEW_KEYS:
        data.pop(key)
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "service.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_an_export_written_before_the_incoming_server_imports_with_the_defaults(
    tmp_path: Path,
) -> None:
    call_command("importservice", str(write(tmp_path, old_export())), stdout=io.StringIO())

    service = current_service()
    assert service.incoming_server == "mbox.iijmio-mail.jp"
    assert service.incoming_protocol is IncomingProtocol.POP3
    assert service.incoming_port == 110
    assert service.incoming_security is Security.STARTTLS
    assert service.submission_security is Security.STARTTLS
    # Exported again, the file names every value.
    out = tmp_path / "again.json"
    call_command("exportservice", "-o", str(out), stdout=io.StringIO())
    again = json.loads(out.read_text(encoding="utf-8"))
    assert {key: again[key] for key in NEW_KEYS} == {
        "submission_security": "starttls",
        "incoming_protocol": "pop3",
        "incoming_host": "mbox.iijmio-mail.jp",
        "incoming_port": 110,
        "incoming_security": "starttls",
    }


@pytest.mark.django_db
def test_an_import_changes_the_incoming_server_and_the_documents_follow(
    tmp_path: Path,
) -> None:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data.update(incoming_protocol="imap", incoming_host="imap.iijmio-mail.jp", incoming_port=993)
    data["incoming_security"] = "ssl"

    out = io.StringIO()
    call_command("importservice", str(write(tmp_path, data)), stdout=out)

    assert "incoming_host: mbox.iijmio-mail.jp → imap.iijmio-mail.jp" in out.getvalue()
    assert current_service().incoming_protocol is IncomingProtocol.IMAP
    assert models.Service.objects.get().incoming_port == 993


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("incoming_port", 70000, "incoming_port:"),
        ("incoming_port", "110", "incoming_port: Expected a whole number"),
        ("incoming_protocol", "smoke-signals", "incoming_protocol:"),
        ("submission_security", "maybe", "submission_security:"),
        ("incoming_host", "not a host!", "incoming_host:"),
    ],
)
def test_a_bad_value_is_refused_with_its_place_in_the_file(
    tmp_path: Path, key: str, value: object, words: str
) -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data[key] = value

    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("importservice", str(write(tmp_path, data)), stdout=io.StringIO())

    assert words in str(refused.value)
    assert not models.Service.objects.exists()
