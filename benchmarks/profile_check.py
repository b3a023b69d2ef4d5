"""Worker CPU per request for the warm check page, /healthz and /, without a server.

Run: .venv/bin/python benchmarks/profile_check.py [--rounds N] [--profile] [--save DIR]

bench_serve.py measures throughput under gunicorn; this script shows where a request's CPU
goes, which is what makes that throughput. It runs the production settings (DEBUG off) on a
temporary SQLite database holding the demo service, answers DNS from the demo zone, warms the
caches, then times requests through Django's test client (the full middleware stack, no
socket): /healthz, the check page with a result over bench_serve's rotating inputs in both
languages, and /. Figures are mean process CPU milliseconds per request, the best of a few
passes (other work on the machine only ever adds to them); gunicorn adds a few tenths of a
millisecond to each.

--profile prints cProfile's top functions for the check page. --save DIR writes the HTML of
the five demo cases (and a form with errors) in both languages, so a rendering change can be
diffed against the pages it replaces.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_serve import rotating_inputs  # noqa: E402

DEMO_CASES = [
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp"),
    ("iij-taro.iijmio-mail.jp", "someone@example.com"),
]
# Input the core refuses: the page shows the form's error markup instead of a report.
INVALID_CASE = ("iij taro", "")
PREFIXES = {"ja": "", "en": "/en"}


def configure(workdir: Path, *, as_served: bool = False) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "profile-only-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "STATIC_ROOT": str(workdir / "static"),
            "MAILCHECK_DNS": "zone:mailcheck/demo/demo.zone",
            "CHECK_RATE_LIMIT": "",
            "CHECK_DOMAIN_RATE_LIMIT": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    if as_served:
        # As bench_serve.py serves it: live DNS from a name server on loopback, the shared
        # cache in Redis.
        from benchmarks.bench_serve import BenchDns, flush_redis
        from tests.dnsserver import FakeDnsServer

        redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        flush_redis(redis_url)
        server = FakeDnsServer(BenchDns()).start()
        os.environ["MAILCHECK_DNS"] = f"live:{server.address}"
        os.environ["REDIS_URL"] = redis_url
    os.chdir(ROOT)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())


def check_path(lang: str, account: str, mail_from: str) -> str:
    query = urllib.parse.urlencode({"account": account, "mail_from": mail_from})
    return f"{PREFIXES[lang]}/check/?{query}"


def cpu_ms_per_request(get: Callable[[str], object], paths: list[str]) -> float:
    started = time.process_time()
    for path in paths:
        get(path)
    return (time.process_time() - started) * 1000 / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1400, help="check requests per pass")
    parser.add_argument("--passes", type=int, default=3, help="passes; the best one counts")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top list")
    parser.add_argument("--save", type=Path, help="write the demo cases' HTML to this folder")
    parser.add_argument(
        "--api", action="store_true", help="also POST /api/v1/check; --profile profiles it"
    )
    parser.add_argument(
        "--as-served",
        action="store_true",
        help="live DNS from a loopback name server and the cache in Redis, as bench_serve.py",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="profile-check-") as tmp:
        configure(Path(tmp), as_served=args.as_served)

        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()

        def get(path: str) -> object:
            response = client.get(path, secure=True)
            if response.status_code not in (200, 400):
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            return response

        inputs = rotating_inputs()
        check_paths = [
            check_path(lang, account, mail_from)
            for i, (account, mail_from) in enumerate(inputs)
            for lang in (("ja", "en") if i % 2 == 0 else ("en", "ja"))
        ]
        check_paths = (check_paths * (args.rounds // len(check_paths) + 1))[: args.rounds]
        pages = ["/", "/en/"]

        # Warm: every input once (the DNS answers, the service, the related content, templates).
        for path in check_paths[: len(inputs) * 2] + pages + ["/healthz"]:
            get(path)
        with CaptureQueriesContext(connection) as queries:
            for path in check_paths[:50]:
                get(path)

        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            for lang in PREFIXES:
                for n, (account, mail_from) in enumerate([*DEMO_CASES, INVALID_CASE], 1):
                    response: Any = get(check_path(lang, account, mail_from))
                    (args.save / f"check-{lang}-{n}.html").write_bytes(response.content)
                response = get(f"{PREFIXES[lang]}/check/")
                (args.save / f"check-{lang}-empty.html").write_bytes(response.content)
                response = get(f"{PREFIXES[lang]}/")
                (args.save / f"home-{lang}.html").write_bytes(response.content)
            print(f"pages written to {args.save}")

        bodies = [
            json.dumps({"account": account, "mail_from": mail_from})
            for account, mail_from in inputs
        ]
        bodies = (bodies * (args.rounds // len(bodies) + 1))[: args.rounds]

        def post(body: str) -> object:
            response = client.post(
                "/api/v1/check", body, content_type="application/json", secure=True
            )
            if response.status_code not in (200, 400):
                raise SystemExit(f"/api/v1/check: HTTP {response.status_code}")
            return response

        if args.api:
            for body in bodies[: len(inputs)]:
                post(body)

        healthz = check = home = api = float("inf")
        for _ in range(args.passes):
            healthz = min(healthz, cpu_ms_per_request(get, ["/healthz"] * 2000))
            check = min(check, cpu_ms_per_request(get, check_paths))
            home = min(home, cpu_ms_per_request(get, pages * 500))
            if args.api:
                api = min(api, cpu_ms_per_request(post, bodies))
        print(f"/healthz        {healthz:6.3f} ms CPU per request")
        print(f"/check/ result  {check:6.3f} ms CPU per request ({len(check_paths)} requests)")
        print(f"/               {home:6.3f} ms CPU per request")
        print(f"check / healthz {check / healthz:6.2f}x the CPU")
        if args.api:
            print(f"POST /api/v1/check {api:6.3f} ms CPU per request ({api / healthz:.2f}x)")
        print(f"database queries in 50 warm checks: {len(queries)}")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            if args.api:
                for body in bodies:
                    post(body)
            else:
                for path in check_paths:
                    get(path)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
            if os.environ.get("PROFILE_CALLERS"):
                stats.print_callers(os.environ["PROFILE_CALLERS"])


if __name__ == "__main__":
    main()
