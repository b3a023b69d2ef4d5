"""The portal's production server (gunicorn with gunicorn.conf.py) as real processes, for tests.

``PortalServer`` starts ``gunicorn -c gunicorn.conf.py`` on a free loopback port with exactly
the environment a test gives it (plus PATH and the like), waits until ``/healthz`` answers and
keeps the server's log (stdout and stderr) in a file, so a test can read the JSON lines.
``prepare_database`` migrates a database and loads the demo service, as an operator would
before the first start.

The ``portal_server`` fixture is a factory: call it once per process. Two processes that share
a database and a Redis (the multi-machine tests) are two calls with the same DATABASE_URL and
REDIS_URL; each gets its own port and log, and all are stopped at the end of the test:

    def test_x(portal_server, tmp_path):
        env = {"DATABASE_URL": ..., "REDIS_URL": ...}
        prepare_database(env)
        a, b = portal_server(env), portal_server(env)
        a.get("/healthz")
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")

# What a production start needs besides the test's own settings: DEBUG off, a real key, a
# loopback host name, plain HTTP (no redirect to HTTPS on loopback).
PRODUCTION_ENV: dict[str, str] = {
    "DEBUG": "false",
    "SECRET_KEY": "test-serving-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "WEB_WORKERS": "2",
    "WEB_THREADS": "4",
}

# Only these are taken over from the test runner's own environment; DATABASE_URL, REDIS_URL,
# DEBUG and the rest come from the test alone, so CI's PostgreSQL or a developer's shell
# cannot leak into a process a test means to configure.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT")


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(env: Mapping[str, str]) -> dict[str, str]:
    """The full environment of a server process: inherited basics, production, then ``env``."""
    base = {name: os.environ[name] for name in INHERITED if name in os.environ}
    return {**base, **PRODUCTION_ENV, **env}


def manage(env: Mapping[str, str], *args: str, timeout: float = 120) -> str:
    """Run ``manage.py`` with the environment a server would get; its output, or a failure."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_database(env: Mapping[str, str], *, demo: bool = True) -> None:
    """Migrate the database of ``env`` and, with ``demo``, load the demo service (no admin)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    if demo:
        manage(env, "loaddemo", "--no-admin")


def sqlite_env(path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{path}"}


def static_env(root: Path) -> dict[str, str]:
    """A STATIC_ROOT filled by collectstatic: production's manifest storage needs it."""
    return {"STATIC_ROOT": str(root)}


class PortalServer:
    def __init__(self, env: Mapping[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = server_env({**env, "HOST": "127.0.0.1", "PORT": str(self.port)})
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 30) -> PortalServer:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py")],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self._process.returncode}:\n{self.log()}")
            try:
                if self.get("/healthz", timeout=1).status == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn did not answer /healthz in {timeout} s:\n{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)

    def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        """One GET on a new connection (so concurrent calls from threads never share one)."""
        if params:
            path = f"{path}?{urllib.parse.urlencode(params)}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            answer = conn.getresponse()
            body = answer.read()
        finally:
            conn.close()
        return Response(
            answer.status,
            {k.lower(): v for k, v in answer.getheaders()},
            body,
            time.perf_counter() - started,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def portal_server(tmp_path: Path) -> Iterator[Callable[..., PortalServer]]:
    """A factory of started servers; every server it made is stopped after the test."""
    servers: list[PortalServer] = []

    def start(env: Mapping[str, str], *, name: str = "") -> PortalServer:
        label = name or f"server{len(servers) + 1}"
        server = PortalServer(env, tmp_path / f"{label}.log")
        servers.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Static files collected once per test run, as production's storage expects them."""
    root = tmp_path_factory.mktemp("static")
    manage(
        {**static_env(root), **sqlite_env(root / "unused.sqlite3")},
        "collectstatic",
        "--noinput",
        "-v",
        "0",
    )
    return root
