"""The portal under load, served as `make serve` serves it, on this machine.

Run: make bench   (or .venv/bin/python benchmarks/bench_serve.py [--seconds N] [--write FILE])

What it does, in one run:

1. Starts a DNS server on a loopback port that answers from the demo zone and never answers
   for names under ``hang.example`` (a domain whose name server is silent), counting queries.
2. Prepares a fresh SQLite database with the demo service, and flushes one Redis database
   (``BENCH_REDIS_URL``, default redis://127.0.0.1:6379/14) for the shared cache.
3. Starts the production server (gunicorn with the project's gunicorn.conf.py, DEBUG off) and
   measures with wrk (16 connections): ``/healthz``, ``POST /api/v1/check`` and the check page
   over the same 700 rotating inputs, ``/``, and ``/faq/``.
4. Counts the DNS queries of one check cold, warm, and from a second server process that shares
   the Redis cache.
5. Measures ``/`` alone and while 16 checks hang on the silent name server.
6. Runs ``profile_check.py`` (CPU per request) and ``bench_check.py`` (the check core alone).

Rate limits are switched off for the run (they would answer 429 to a load generator). The
results go to stdout and, with --write, replace docs/performance.md. Nothing here asserts a
timing: the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dns.message

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dnsserver import DEMO_ZONE, FakeDnsServer, ZoneHandler  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CONNECTIONS = 16
HANG_DOMAIN = "hang.example."
SERVICE_DOMAINS = ["iijmio-mail.jp", "miomio.jp", "miobox.jp", "e23.jp", "x-il.jp"]
OTHER_DOMAINS = ["example.jp", "example.com", "nospf.example.jp", "v4only.example.jp"]
COLD_CASE = ("iij-taro.iijmio-mail.jp", "someone@example.com")


def rotating_inputs(count: int = 700) -> list[tuple[str, str]]:
    """Accounts and addresses as customers type them: matching, another mailbox, another
    service domain, and other providers' domains, spread over the demo zone's domains."""
    inputs = []
    for i in range(count):
        domain = SERVICE_DOMAINS[i % len(SERVICE_DOMAINS)]
        account = f"user{i}.{domain}"
        kind = i % 4
        if kind == 0:
            mail_from = f"user{i}@{domain}"
        elif kind == 1:
            mail_from = f"other{i}@{domain}"
        elif kind == 2:
            mail_from = f"user{i}@{SERVICE_DOMAINS[(i + 1) % len(SERVICE_DOMAINS)]}"
        else:
            mail_from = f"user{i}@{OTHER_DOMAINS[i % len(OTHER_DOMAINS)]}"
        inputs.append((account, mail_from))
    return inputs


def check_path(account: str, mail_from: str) -> str:
    return "/check/?" + urllib.parse.urlencode({"account": account, "mail_from": mail_from})


class BenchDns:
    """Demo-zone answers, silence under hang.example."""

    def __init__(self) -> None:
        self.zone = ZoneHandler(DEMO_ZONE.read_text(encoding="utf-8"))

    def __call__(self, query: dns.message.Message) -> dns.message.Message | None:
        name = query.question[0].name.to_text().lower()
        if name == HANG_DOMAIN or name.endswith("." + HANG_DOMAIN):
            return None
        return self.zone(query)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def server(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """A gunicorn process as `make serve` starts it; yields its base URL once /healthz answers."""
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(base + "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {log}")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.rps:,.0f} | {self.p50_ms:.1f} | {self.p99_ms:.1f} | "
            f"{self.requests:,} | {self.errors} |"
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(
    base: str,
    path: str,
    seconds: int,
    *,
    paths_file: Path | None = None,
    bodies_file: Path | None = None,
) -> WrkResult:
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        # A new connection per request: the kernel hands each to whichever worker process is
        # waiting, so both processes take part in every measure. With keep-alive, wrk's 16
        # connections stay with whichever process accepted them, often all with one, and a
        # measure showed half the throughput of the next run.
        "--header",
        "Connection: close",
    ]
    if paths_file is not None:
        script = paths_file.with_suffix(".lua")
        script.write_text(
            f"""
local paths = {{}}
for line in io.lines("{paths_file}") do paths[#paths + 1] = line end
local i = 0
function init(args) i = math.random(#paths) end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""",
            encoding="utf-8",
        )
        command += ["--script", str(script)]
    if bodies_file is not None:
        # POST one JSON body per line of the file, in turn (the API's rotating inputs); the
        # headers are wrk's own (Host, Connection: close) with the content type added.
        script = bodies_file.with_suffix(".lua")
        script.write_text(
            f"""
local bodies = {{}}
for line in io.lines("{bodies_file}") do bodies[#bodies + 1] = line end
local i = 0
function init(args)
  i = math.random(#bodies)
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, nil, bodies[i])
end
""",
            encoding="utf-8",
        )
        command += ["--script", str(script)]
    output = subprocess.run(
        [*command, base + path], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    # The distribution's own lines: "     50%    3.71ms" (a "+/- Stdev" column such as "87.50%"
    # must not match).
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(rps, p50, p99, requests, errors)


def prepare(env: dict[str, str]) -> None:
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["loaddemo", "--no-admin"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run(
            [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Hangers:
    """Keeps ``count`` checks in flight against the silent name server."""

    def __init__(self, base: str, count: int) -> None:
        self.base = base
        self.count = count
        self.stop = threading.Event()
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(count)]

    def run(self, i: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            url = self.base + check_path(
                "iij-taro.iijmio-mail.jp", f"user{i}-{n}@h{i}-{n}.{HANG_DOMAIN.rstrip('.')}"
            )
            try:
                status, _ = get(url, timeout=30)
            except OSError:
                status = 0
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
            if status != 200:
                # Busy (503) comes back at once; wait as a person would before retrying.
                self.stop.wait(1.0)

    def __enter__(self) -> Hangers:
        for thread in self.threads:
            thread.start()
        time.sleep(1.0)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--write", type=Path, help="write the results as Markdown to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run `scripts/setup --system`", file=sys.stderr)
        return 2
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    flush_redis(redis_url)

    dns_server = FakeDnsServer(BenchDns()).start()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(workdir)),
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(workdir / "static"),
        "MAILCHECK_DNS": f"live:{dns_server.address}",
        "CHECK_RATE_LIMIT": "",
        "CHECK_DOMAIN_RATE_LIMIT": "",
        "LOG_LEVEL": "WARNING",
    }
    prepare(env)
    inputs = rotating_inputs()
    paths_file = workdir / "paths.txt"
    paths_file.write_text("\n".join(check_path(a, m) for a, m in inputs) + "\n", encoding="utf-8")
    bodies_file = workdir / "bodies.txt"
    bodies_file.write_text(
        "\n".join(json.dumps({"account": a, "mail_from": m}) for a, m in inputs) + "\n",
        encoding="utf-8",
    )
    log = workdir / "server.log"
    results: dict[str, WrkResult] = {}
    dns_counts: dict[str, int] = {}
    try:
        with server(env, free_port(), log) as base:
            # DNS queries per check: cold, warm, and from a second process sharing Redis.
            before = dns_server.query_count
            status, _ = get(base + check_path(*COLD_CASE))
            assert status == 200, status
            dns_counts["cold"] = dns_server.query_count - before
            before = dns_server.query_count
            get(base + check_path(*COLD_CASE))
            dns_counts["warm, same process"] = dns_server.query_count - before
            with server(env, free_port(), log) as other:
                before = dns_server.query_count
                get(other + check_path(*COLD_CASE))
                dns_counts["warm, another server process"] = dns_server.query_count - before

            # Warm every input once, so the run measures the page and not the name server.
            for account, mail_from in inputs:
                status, _ = get(base + check_path(account, mail_from))
                if status != 200:
                    raise RuntimeError(f"warm-up {account} {mail_from}: {status}")
            results["/healthz"] = wrk(base, "/healthz", args.seconds)
            results["POST /api/v1/check, 700 rotating inputs"] = wrk(
                base, "/api/v1/check", args.seconds, bodies_file=bodies_file
            )
            results["/"] = wrk(base, "/", args.seconds)
            results["check page, 700 rotating inputs"] = wrk(
                base, "/check/", args.seconds, paths_file=paths_file
            )
            results["/faq/"] = wrk(base, "/faq/", args.seconds)

            results["/ alone"] = wrk(base, "/", args.seconds)
            with Hangers(base, 16) as hangers:
                results["/ with 16 checks hanging on a silent name server"] = wrk(
                    base, "/", args.seconds
                )
            hang_statuses = dict(hangers.statuses)
    finally:
        dns_server.stop()

    core = subprocess.run(
        [str(PYTHON), str(ROOT / "benchmarks" / "bench_check.py"), "200"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = subprocess.run(
        [str(PYTHON), str(ROOT / "benchmarks" / "profile_check.py"), "--as-served"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    report = render(results, dns_counts, hang_statuses, args.seconds, core, cpu)
    print(report)
    if args.write:
        # Keep the batch benchmark's section (benchmarks/bench_batch.py writes it).
        from benchmarks.bench_batch import BEGIN, END

        old = args.write.read_text(encoding="utf-8") if args.write.exists() else ""
        if BEGIN in old and END in old:
            kept = BEGIN + old.partition(BEGIN)[2].partition(END)[0] + END
            report = report.rstrip("\n") + "\n\n" + kept + "\n"
        args.write.write_text(report, encoding="utf-8")
        print(f"written to {args.write}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def render(
    results: dict[str, WrkResult],
    dns_counts: dict[str, int],
    hang_statuses: dict[int, int],
    seconds: int,
    core: str,
    cpu: str,
) -> str:
    healthz = results["/healthz"]
    check = results["check page, 700 rotating inputs"]
    alone = results["/ alone"]
    hanging = results["/ with 16 checks hanging on a silent name server"]
    ratio = check.rps / healthz.rps if healthz.rps else 0.0
    api = results["POST /api/v1/check, 700 rotating inputs"]
    api_ratio = api.rps / healthz.rps if healthz.rps else 0.0
    kept = hanging.rps / alone.rps if alone.rps else 0.0
    errors = sum(r.errors for name, r in results.items())

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [
        "# Performance",
        "",
        "Recorded by `make bench` (`benchmarks/bench_serve.py`): the production server as",
        "`make serve` runs it (gunicorn, DEBUG off, PostgreSQL or SQLite, the shared cache in",
        "Redis), loaded by wrk with "
        f"{CONNECTIONS} connections for {seconds} s per measure. Tests never assert timings; this",
        "page is how a regression is spotted. Run it again on an idle machine to compare.",
        "",
        f"Run of {datetime.date.today().isoformat()} on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.machine()}; the load generator runs on",
        "the same machine and takes part of its CPU.",
        "",
        "## Throughput and latency, one run",
        "",
        "| measure | requests/s | p50 ms | p99 ms | requests | errors |",
        "|---|---:|---:|---:|---:|---:|",
        *(results[name].row(name) for name in list(results)[:5]),
        "",
        "Every request comes on a new connection (`Connection: close`), so both worker processes",
        "take part in every measure; with keep-alive, wrk's 16 connections often all stayed with",
        "one process and a measure showed half the throughput of the next run.",
        "",
        "## A slow name server does not take the site down",
        "",
        "| measure | requests/s | p50 ms | p99 ms | requests | errors |",
        "|---|---:|---:|---:|---:|---:|",
        alone.row("/ alone"),
        hanging.row("/ with 16 checks hanging on a silent name server"),
        "",
        "The hanging checks' answers during that run, by status: "
        + ", ".join(f"{status}: {count}" for status, count in sorted(hang_statuses.items()))
        + " (503 is the per-process cap on checks in flight answering “busy, try again”).",
        "",
        "## DNS queries per check",
        "",
        f"The same check ({COLD_CASE[0]} sending as {COLD_CASE[1]}), answered by a name server",
        "on loopback:",
        "",
        "| when | queries |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in dns_counts.items()),
        "",
        "## Targets",
        "",
        "| target | figure | |",
        "|---|---|---|",
        f"| check page ≥ 0.3× /healthz throughput | {ratio:.2f}× | {verdict(ratio >= 0.3)} |",
        f"| check page p99 < 100 ms at {CONNECTIONS} connections | {check.p99_ms:.1f} ms | "
        f"{verdict(check.p99_ms < 100)} |",
        f"| POST /api/v1/check ≥ 0.5× /healthz throughput | {api_ratio:.2f}× | "
        f"{verdict(api_ratio >= 0.5)} |",
        f"| POST /api/v1/check p99 < 50 ms at {CONNECTIONS} connections | {api.p99_ms:.1f} ms | "
        f"{verdict(api.p99_ms < 50)} |",
        f"| zero errors | {errors} | {verdict(errors == 0)} |",
        f"| / keeps ≥ half its throughput with 16 hanging checks | {kept:.2f}× | "
        f"{verdict(kept >= 0.5)} |",
        f"| no query for a warm check in another process | "
        f"{dns_counts.get('warm, another server process')} | "
        f"{verdict(dns_counts.get('warm, another server process') == 0)} |",
        "",
        "## Where a check page's time goes",
        "",
        "`benchmarks/profile_check.py --as-served`: worker CPU per request through Django's test",
        "client (the whole middleware stack, no socket, DEBUG off, live DNS from a name server on",
        "loopback and the cache in Redis, as above), best of three passes:",
        "",
        "```",
        cpu.strip(),
        "```",
        "",
        "`/healthz` is the cost of the middleware stack alone. A check page adds the check itself",
        "(below: two routes of two addresses each, SPF and the DMARC walk) and the rendering of a",
        "result page of about 15 KB with the Django template engine, which takes most of the rest",
        "(`profile_check.py --profile` lists the functions). The ratio of the two CPU figures is",
        "what bounds the throughput ratio above; the server and wrk add the same cost to both.",
        "",
        "## The check core alone",
        "",
        "`benchmarks/bench_check.py 200`: identity, policy, pyspf over the resolver seam and the",
        "DMARC walk, answering from the demo zone in one process, without Django:",
        "",
        "```",
        core.strip(),
        "```",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
