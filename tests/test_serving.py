"""The production server under checks that hang on DNS: a real gunicorn, a silent name server.

The test client runs one request at a time in the test's own thread, so it cannot show what
matters here: that checks waiting on a name server which never answers leave threads for every
other page, and that checks beyond the per-process cap are told "busy" at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.dnsserver import FakeDnsServer, silent_dns_server  # noqa: F401  (fixture)
from tests.servers import (  # noqa: F401  (fixtures)
    PortalServer,
    Response,
    portal_server,
    prepare_database,
    sqlite_env,
    static_env,
    static_root,
)

pytestmark = pytest.mark.process

WORKERS, THREADS, CAP = 2, 4, 2
BUDGET = 3.0
HANGING = 16
ADDRESS = "taro@no-answer.example"


def test_pages_keep_answering_while_checks_hang_on_a_silent_name_server(
    portal_server: Callable[..., PortalServer],  # noqa: F811
    silent_dns_server: FakeDnsServer,  # noqa: F811
    static_root: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = {
        **sqlite_env(tmp_path / "db.sqlite3"),
        **static_env(static_root),
        "WEB_WORKERS": str(WORKERS),
        "WEB_THREADS": str(THREADS),
        "MAILCHECK_MAX_CONCURRENT_CHECKS": str(CAP),
        "MAILCHECK_DNS": f"live:{silent_dns_server.address}",
        "MAILCHECK_DNS_TIMEOUT": "1",
        "MAILCHECK_DNS_BUDGET": str(BUDGET),
        "CHECK_RATE_LIMIT": "",
        "CHECK_DOMAIN_RATE_LIMIT": "",
    }
    prepare_database(env)
    server = portal_server(env)
    assert server.get("/").status == 200  # warm: the first page of a process loads templates

    def one_check(n: int) -> Response:
        params = {"account": "iij-taro.iijmio-mail.jp", "mail_from": f"u{n}.{ADDRESS}"}
        return server.get("/check/", params, timeout=60)

    with ThreadPoolExecutor(max_workers=HANGING) as pool:
        checks = [pool.submit(one_check, n) for n in range(HANGING)]
        time.sleep(0.5)  # every check has reached a worker and is waiting on DNS, or refused
        homes = []
        for _ in range(10):
            homes.append(server.get("/"))
            time.sleep(0.1)
        hanging_during_homes = sum(not f.done() for f in checks)
        results = [f.result() for f in checks]

    timings = sorted(round(r.seconds, 3) for r in homes)
    print(f"GET / while {hanging_during_homes} checks hang: {timings} s")
    print("checks:", sorted((r.status, round(r.seconds, 2)) for r in results))
    assert hanging_during_homes >= 1
    assert all(r.status == 200 for r in homes)
    assert max(r.seconds for r in homes) < 1.0

    busy = [r for r in results if r.status == 503]
    answered = [r for r in results if r.status == 200]
    # At most CAP checks run at once in each worker; the rest were refused, without waiting
    # for the DNS budget.
    assert len(answered) <= WORKERS * CAP
    assert len(busy) == HANGING - len(answered) >= HANGING - WORKERS * CAP
    assert all(r.headers["retry-after"] == str(int(BUDGET)) for r in busy)
    assert all(r.seconds < 1.0 for r in busy)
    assert all("busy" in r.text or "混み合って" in r.text for r in busy)
    assert all(r.seconds >= 1.0 for r in answered)  # they did wait on the silent server

    # The log: JSON lines, each request's lines with its id, and not one mail address.
    log = server.log()
    assert ".taro@" not in log and ".taro%40" not in log
    app_lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [line for line in app_lines if line.get("logger") == "portal.logging"]
    assert len(requests) >= HANGING + len(homes)
    assert all(len(line["request_id"]) == 32 for line in requests)
    assert any(line.get("logger") == "mailcheck.ratelimit" for line in app_lines)


def test_the_probes_of_a_production_server(
    portal_server: Callable[..., PortalServer],  # noqa: F811
    static_root: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = {**sqlite_env(tmp_path / "db.sqlite3"), **static_env(static_root)}
    prepare_database(env, demo=False)
    server = portal_server(env)

    health, ready = server.get("/healthz"), server.get("/readyz")

    assert (health.status, health.text) == (200, "ok\n")
    assert (ready.status, ready.text) == (200, "ready\n")
    assert len(health.headers["x-request-id"]) == 32
    log = server.log()
    assert all(line.startswith("{") for line in log.splitlines() if line.strip()), log
