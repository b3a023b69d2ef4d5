"""A real receiver process (`manage.py receivemail`) on a loopback port, against a file-based
SQLite database it shares with the test, and DNS from the demo zone plus a DKIM key."""

from __future__ import annotations

import datetime
import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers import ROOT, free_port, prepare_database, server_env, sqlite_env

HERE = Path(__file__).resolve().parent
DKIM_KEY = (HERE / "dkim_test_key.pem").read_bytes()
DKIM_PUBLIC = (HERE / "dkim_test_key.pub.b64").read_text().strip()
DOMAIN = "test-mail.example"
MAX_REFUSED = 10
MAX_BYTES = 8192


@dataclass
class ReceiverProcess:
    port: int
    database: Path
    log: Path
    process: subprocess.Popen[bytes]

    def connect(self, source: str = "127.0.0.1") -> socket.socket:
        return socket.create_connection(
            ("127.0.0.1", self.port), timeout=20, source_address=(source, 0)
        )

    def add_address(
        self, token: str, *, minutes: int = 30, account: str = "", mail_from: str = ""
    ) -> str:
        # Stored as Django stores it on SQLite: UTC without an offset.
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        with sqlite3.connect(self.database) as db:
            db.execute(
                "INSERT INTO inbound_testaddress (token, created, expires, account, mail_from, "
                "header_from) VALUES (?, ?, ?, ?, ?, '')",
                (
                    token,
                    now.isoformat(sep=" "),
                    (now + datetime.timedelta(minutes=minutes)).isoformat(sep=" "),
                    account,
                    mail_from,
                ),
            )
        return f"check-{token}@{DOMAIN}"

    def received(self, token: str) -> dict[str, Any] | None:
        with sqlite3.connect(self.database) as db:
            row = db.execute(
                "SELECT r.client_ip, r.helo, r.mail_from, r.headers, r.grades FROM "
                "inbound_receivedmail r JOIN inbound_testaddress a ON a.id = r.test_address_id "
                "WHERE a.token = ?",
                (token,),
            ).fetchone()
        if row is None:
            return None
        return {
            "client_ip": row[0],
            "helo": row[1],
            "mail_from": row[2],
            "headers": row[3],
            "grades": json.loads(row[4]),
        }


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReceiverProcess]:
    folder = tmp_path_factory.mktemp("receiver")
    zone = folder / "test.zone"
    demo = (ROOT / "mailcheck" / "demo" / "demo.zone").read_text(encoding="utf-8")
    zone.write_text(
        demo + f'\nsel._domainkey.iijmio-mail.jp. TXT "v=DKIM1; k=rsa; p={DKIM_PUBLIC}"\n',
        encoding="utf-8",
    )
    database = folder / "db.sqlite3"
    env = {
        **sqlite_env(database),
        "MAILCHECK_DNS": f"zone:{zone}",
        "TEST_MAIL_DOMAIN": DOMAIN,
        "TEST_MAIL_MAX_BYTES": str(MAX_BYTES),
        "TEST_MAIL_MAX_CONNECTIONS": "3",
        "TEST_MAIL_MAX_REFUSED": str(MAX_REFUSED),
        # The load balancer is 127.0.0.1; a client on 127.0.0.2 is anyone else.
        "TEST_MAIL_TRUSTED_PROXIES": "127.0.0.1",
    }
    prepare_database(env)
    port = free_port()
    log = folder / "receiver.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "receivemail", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=server_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = ReceiverProcess(port, database, log, process)
    deadline = time.monotonic() + 30
    while "listening on" not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.1)
    yield running
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
