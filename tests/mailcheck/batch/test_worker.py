"""A batch run by a real worker process, as `make serve` starts it: scripts/run_with_worker.py
with gunicorn and the database backend's db_worker, on a file-based SQLite database."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.servers import (  # noqa: F401  (fixture)
    GUNICORN,
    ROOT,
    free_port,
    prepare_database,
    server_env,
    sqlite_env,
    static_env,
    static_root,
)

pytestmark = pytest.mark.process

ROWS = 300  # three chunks and a bit: the progress is written several times


class Site:
    """The supervisor (gunicorn and the worker beside it) on a loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.env = server_env({**env, "HOST": "127.0.0.1", "PORT": str(self.port)})
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None
        self.cookies: dict[str, str] = {}

    def start(self) -> Site:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "scripts/run_with_worker.py",
                    "--no-reload",
                    "--",
                    str(GUNICORN),
                    "-c",
                    "gunicorn.conf.py",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log()
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(
                method,
                path,
                body=body or None,
                headers={
                    "Host": "127.0.0.1",
                    **({"Cookie": cookie} if cookie else {}),
                    **(headers or {}),
                },
            )
            answer = conn.getresponse()
            data = answer.read()
        finally:
            conn.close()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data

    def upload(self, raw: bytes) -> str:
        status, _, page = self.request("GET", "/en/check/batch/")
        assert status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        boundary = uuid.uuid4().hex
        disposition = "Content-Disposition: form-data; name="
        body = (
            (
                f'--{boundary}\r\n{disposition}"csrfmiddlewaretoken"\r\n\r\n'
                f"{token.group(1).decode()}\r\n"
                f'--{boundary}\r\n{disposition}"file"; filename="list.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + raw
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, headers, page = self.request(
            "POST",
            "/en/check/batch/",
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert status == 302, page.decode(errors="replace")
        return headers["location"]

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def worker_pids(log: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"task worker started \(pid (\d+)\)", log)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; its parent (gone too) will never reap it.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_a_batch_runs_in_the_worker_beside_the_server_which_stops_it(
    static_root: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = {
        **sqlite_env(tmp_path / "db.sqlite3"),
        **static_env(static_root),
        "TASKS_BACKEND": "database",
        "WORKER_STOP_SECONDS": "5",
    }
    prepare_database(env)
    site = Site(env, tmp_path / "site.log").start()
    try:
        cases = [
            ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp"),
            ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"),
            ("iiij-taro.iijmio-mail.jp", "example@example.jp"),
        ]
        lines = [f"{cases[n % 3][0]},{cases[n % 3][1]}" for n in range(ROWS)]
        raw = ("account,mail_from\n" + "\n".join(lines) + "\nbroken-line\n").encode()
        location = site.upload(raw)
        assert re.fullmatch(r"/en/check/batch/[A-Za-z0-9_-]{22}/", location)
        seen: list[int] = []
        deadline = time.monotonic() + 120
        while True:
            status, _, body = site.request("GET", location + "status.json")
            assert status == 200
            data = json.loads(body)
            seen.append(data["done"])
            if data["finished"]:
                break
            assert time.monotonic() < deadline, site.log()
            time.sleep(0.2)
        assert data["status"] == "done", site.log()
        assert (data["total"], data["done"], data["failed"]) == (ROWS + 1, ROWS + 1, 1)
        assert seen == sorted(seen)
        status, _, page = site.request("GET", location)
        html = page.decode()
        assert "Results" in html and "Line 302: This line has 1 columns" in html
        status, _, csv_body = site.request("GET", location + "results.csv")
        text = csv_body.decode("utf-8-sig").splitlines()
        assert len(text) == ROWS + 2
        assert text[2].split(",")[7] == "delivered" and text[2].split(",")[10] == "at_risk"
    finally:
        returncode = site.stop()
    log = site.log()
    pids = worker_pids(log)
    assert len(pids) == 1, log
    assert "task worker stopped" in log
    assert not alive(pids[0]), "the worker outlived the server"
    assert returncode == 0, log


def test_the_worker_is_stopped_when_the_supervisor_is_killed_outright(tmp_path: Path) -> None:
    env = {**sqlite_env(tmp_path / "db.sqlite3"), "TASKS_BACKEND": "database"}
    prepare_database(env, demo=False)
    log = tmp_path / "log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/run_with_worker.py", "--no-reload", "--", "sleep", "60"],
            cwd=ROOT,
            env=server_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group (the "server" is in it, the worker is not): cleaned up below.
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while not worker_pids(log.read_text()):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (pid,) = worker_pids(log.read_text())
    process.kill()
    process.wait(timeout=5)
    deadline = time.monotonic() + 30
    while alive(pid):
        assert time.monotonic() < deadline, "the worker outlived a killed supervisor"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)  # the "server", orphaned by the kill


def test_the_supervisor_runs_the_housekeeping_with_the_worker(tmp_path: Path) -> None:
    """Expired saved results go by a task in the worker, expired batches by their command,
    without cron: a minute after the start (here at once) and every HOUSEKEEPING_MINUTES."""
    database = tmp_path / "db.sqlite3"
    env = {**sqlite_env(database), "TASKS_BACKEND": "database"}
    prepare_database(env, demo=False)
    expired_row = (
        "from datetime import timedelta; from django.utils import timezone; "
        "from mailcheck.results.models import SavedResult; now = timezone.now(); "
        "[SavedResult.objects.create(code=code, account='a', mail_from='a@b', report={}, "
        "html_ja='', html_en='', checked_at=now - timedelta(days=40), "
        "expires=now - timedelta(days=10) + timedelta(days=keep)) for code, keep in "
        "(('AAAAAAAA', 0), ('BBBBBBBB', 20))]"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", expired_row],
        cwd=ROOT,
        env=server_env(env),
        check=True,
        capture_output=True,
    )
    log = tmp_path / "log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/run_with_worker.py", "--no-reload", "--", "sleep", "120"],
            cwd=ROOT,
            env=server_env({**env, "HOUSEKEEPING_FIRST_SECONDS": "0"}),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            with sqlite3.connect(database) as db:
                codes = [row[0] for row in db.execute("select code from results_savedresult")]
            if codes == ["BBBBBBBB"]:
                break
            assert time.monotonic() < deadline, (codes, log.read_text())
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert "housekeeping" in log.read_text()


def test_the_supervisor_starts_a_helper_again_when_it_exits(tmp_path: Path) -> None:
    """The worker and the test mail receiver are started again after they die on their own."""
    env = {
        **sqlite_env(tmp_path / "db.sqlite3"),
        "TASKS_BACKEND": "database",
        "TEST_MAIL_BIND": f"127.0.0.1:{free_port()}",
    }
    prepare_database(env, demo=False)
    log = tmp_path / "log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/run_with_worker.py", "--no-reload", "--", "sleep", "120"],
            cwd=ROOT,
            env=server_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def started(name: str) -> list[int]:
        return [int(p) for p in re.findall(rf"{name} started \(pid (\d+)\)", log.read_text())]

    try:
        for name in ("task worker", "test mail receiver"):
            deadline = time.monotonic() + 30
            while not started(name):
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            (first,) = started(name)
            os.killpg(first, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while len(started(name)) < 2:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            assert f"{name} exited (-9); starting it again" in log.read_text()
            assert alive(started(name)[1])
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
