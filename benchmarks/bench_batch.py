"""Benchmark of a batch check through the real worker, as `make serve` runs it.

Run: make bench   (or .venv/bin/python benchmarks/bench_batch.py [--rows N] [--write FILE])

Starts scripts/run_with_worker.py with gunicorn and the database backend's db_worker on a fresh
SQLite database with the demo service and the demo DNS zone (DEBUG off), uploads a CSV of
--rows rows (the README's demo cases in turn) through the API, polls the status until the batch
is finished and reports the upload's time, the rows checked per second, and the worker's peak
memory (VmHWM). With --write, the section between the markers in docs/performance.md is
replaced (bench_serve.py keeps it when it rewrites the file). Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import GUNICORN, free_port, manage, server_env  # noqa: E402

BEGIN = "<!-- bench_batch: begin -->"
END = "<!-- bench_batch: end -->"
CASES = (
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp"),
    ("iij-taro.iijmio-mail.jp", "someone@example.com"),
)


def request(port: int, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Host": "127.0.0.1", "Content-Type": "text/csv", "Accept-Language": "en"}
        conn.request(method, path, body=body or None, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def peak_memory_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, flags=re.M)
    return int(found.group(1)) if found else None


def run(rows: int, workdir: Path) -> dict[str, float | int | None]:
    port = free_port()
    env = server_env(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "STATIC_ROOT": str(workdir / "static"),
            "TASKS_BACKEND": "database",
            "BATCH_RATE_LIMIT": "",
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "loaddemo", "--no-admin")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
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
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the server did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        body = "account,mail_from\n" + "".join(
            f"{CASES[n % len(CASES)][0]},{CASES[n % len(CASES)][1]}\n" for n in range(rows)
        )
        started = time.perf_counter()
        status, answer = request(port, "POST", "/api/v1/batches", body.encode())
        uploaded = time.perf_counter()
        if status != 201:
            raise SystemExit(f"upload refused ({status}): {answer.decode(errors='replace')}")
        batch_id = json.loads(answer)["id"]
        polls = 0
        while True:
            status, answer = request(port, "GET", f"/api/v1/batches/{batch_id}")
            data = json.loads(answer)
            polls += 1
            if data["finished"]:
                break
            time.sleep(0.5)
        finished = time.perf_counter()
        pids = re.findall(r"task worker started \(pid (\d+)\)", log_path.read_text())
        memory = peak_memory_kib(int(pids[-1])) if pids else None
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    if data["status"] != "done" or data["done"] != rows:
        raise SystemExit(f"the batch did not finish: {data['status']}, {data['done']}/{rows}")
    return {
        "rows": rows,
        "upload_s": uploaded - started,
        "run_s": finished - uploaded,
        "rows_per_s": rows / (finished - uploaded),
        "polls": polls,
        "worker_peak_mib": None if memory is None else memory / 1024,
    }


def render(result: dict[str, float | int | None]) -> str:
    memory = result["worker_peak_mib"]
    return "\n".join(
        [
            BEGIN,
            "## Batch checks through the worker",
            "",
            "Recorded by `benchmarks/bench_batch.py` (run by `make bench` after `bench_serve.py`):",
            "`scripts/run_with_worker.py` with gunicorn and `db_worker` on SQLite, DEBUG off, the",
            "demo DNS zone; one batch uploaded through `POST /api/v1/batches` and polled until",
            "finished. The time runs from the upload's answer to the last poll (every 0.5 s).",
            "",
            f"Run of {datetime.date.today().isoformat()} on {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {platform.machine()}.",
            "",
            "| rows | upload s | checked in s | rows/s | worker peak memory |",
            "|---:|---:|---:|---:|---:|",
            f"| {result['rows']:,} | {result['upload_s']:.1f} | {result['run_s']:.1f} "
            f"| {result['rows_per_s']:,.0f} | "
            + ("n/a" if memory is None else f"{memory:.0f} MiB")
            + " |",
            "",
            "The upload's time is reading the CSV and storing its rows; the worker then checks",
            "them 100 at a time, writing the progress after each chunk. Five distinct cases",
            "repeat, as in a company's list where most addresses share a few domains: the",
            "resolver's cache answers the repeats.",
            END,
            "",
        ]
    )


def replace_section(document: str, section: str) -> str:
    if BEGIN in document and END in document:
        head, _, rest = document.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + section.rstrip("\n") + tail
    return document.rstrip("\n") + "\n\n" + section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--write", type=Path, help="replace the batch section of this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        result = run(args.rows, Path(workdir))
    section = render(result)
    print(section)
    if args.write:
        old = args.write.read_text(encoding="utf-8") if args.write.exists() else ""
        args.write.write_text(replace_section(old, section), encoding="utf-8")
        print(f"written to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
