"""DNS servers on loopback ports for tests, and the pytest fixtures that start them.

- :class:`NsdServer` runs NLnet Labs' NSD (Debian package ``nsd``), a real authoritative
  server, over zone text. ``demo_dns_server`` serves mailcheck/demo/demo.zone with it.
- :class:`FakeDnsServer` is a small UDP+TCP server in a Python thread whose answers a handler
  decides: silence, SERVFAIL, or answers from zone text. It records every query it receives,
  so tests can tell whether a lookup reached the network.

Without ``nsd`` the fixtures that need it skip, unless MAILCHECK_REQUIRE_SYSTEM_DEPS=1 (CI),
where a missing binary fails the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

DEMO_ZONE = Path(__file__).resolve().parent.parent / "mailcheck" / "demo" / "demo.zone"

Handler = Callable[[dns.message.Message], dns.message.Message | None]


def require_binary(name: str, package: str) -> str:
    """Return the path of a system binary, or skip (fail in CI) when it is missing."""
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.is_file()), None
    )
    if path:
        return path
    reason = f"{name} not installed (Debian package {package}): run scripts/setup"
    if os.environ.get("MAILCHECK_REQUIRE_SYSTEM_DEPS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 at the time of asking."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(port)
        finally:
            udp.close()
            tcp.close()
    raise RuntimeError("no free port for a test DNS server")


def wait_until_answering(host: str, port: int, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    query = dns.message.make_query(".", "SOA")
    while True:
        try:
            dns.query.udp(query, host, port=port, timeout=0.2)
            return
        except (dns.exception.Timeout, OSError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"DNS server on {host}:{port} did not start") from None


# ---------------------------------------------------------------------------------------------
# NSD
# ---------------------------------------------------------------------------------------------

SOA_HEADER = """\
$ORIGIN .
$TTL 300
.  IN SOA ns.test. hostmaster.test. 1 3600 600 86400 {negative_ttl}
.  IN NS  ns.test.
"""


class NsdServer:
    """NSD serving one root zone made of arbitrary absolute-name records.

    The records are wrapped in a zone for ``.``, so any domain in them is served
    authoritatively without one zone (and SOA) per domain.
    """

    def __init__(self, binary: str, zone_text: str, workdir: Path, *, negative_ttl: int = 60):
        self.binary = binary
        self.workdir = workdir
        self.zone_text = SOA_HEADER.format(negative_ttl=negative_ttl) + zone_text
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "root.zone").write_text(self.zone_text, encoding="utf-8")
        for _attempt in range(3):
            self.port = _free_port()
            config = self._write_config()
            self._process = subprocess.Popen(
                [self.binary, "-d", "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_until_answering("127.0.0.1", self.port)
                return
            except RuntimeError:
                self.stop()
        log = (self.workdir / "nsd.log").read_text(errors="replace")
        raise RuntimeError(f"nsd did not start; its log:\n{log}")

    def _write_config(self) -> Path:
        w = self.workdir
        config = w / "nsd.conf"
        config.write_text(
            f"""\
server:
  ip-address: 127.0.0.1
  port: {self.port}
  zonesdir: "{w}"
  pidfile: "{w}/nsd.pid"
  username: ""
  chroot: ""
  database: ""
  zonelistfile: "{w}/zone.list"
  xfrdfile: "{w}/xfrd.state"
  xfrdir: "{w}"
  logfile: "{w}/nsd.log"
  server-count: 1
  verbosity: 1
  hide-version: yes
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "root.zone"
""",
            encoding="utf-8",
        )
        return config

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        self._process = None


# ---------------------------------------------------------------------------------------------
# Python servers
# ---------------------------------------------------------------------------------------------


class FakeDnsServer:
    """A UDP+TCP DNS server on a loopback port whose answers come from ``handler``.

    A handler returning None makes the server stay silent. Every query is recorded in
    :attr:`queries` as ``(name, type)``, names in absolute text form.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.queries: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def query_count(self) -> int:
        with self._lock:
            return len(self.queries)

    def start(self) -> FakeDnsServer:
        for _ in range(50):
            self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._udp.bind(("127.0.0.1", 0))
            self.port = self._udp.getsockname()[1]
            self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                self._tcp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self._udp.close()
                self._tcp.close()
        self._tcp.listen(16)
        self._udp.settimeout(0.05)
        self._tcp.settimeout(0.05)
        for target in (self._serve_udp, self._serve_tcp):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._udp.close()
        self._tcp.close()

    def _answer(self, wire: bytes, *, over_tcp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        question = query.question[0]
        with self._lock:
            self.queries.append((question.name.to_text(), dns.rdatatype.to_text(question.rdtype)))
        response = self.handler(query)
        if response is None:
            return None
        return response.to_wire(max_size=65535 if over_tcp else 512)

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self._udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            answer = self._answer(wire, over_tcp=False)
            if answer is not None:
                self._udp.sendto(answer, peer)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _peer = self._tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve_connection, args=(conn,), daemon=True)
            thread.start()

    def _serve_connection(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        buffer = b""
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65535)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while len(buffer) >= 2 and len(buffer) >= 2 + int.from_bytes(buffer[:2], "big"):
                    size = int.from_bytes(buffer[:2], "big")
                    wire, buffer = buffer[2 : 2 + size], buffer[2 + size :]
                    answer = self._answer(wire, over_tcp=True)
                    if answer is not None:
                        conn.sendall(len(answer).to_bytes(2, "big") + answer)


def silent(query: dns.message.Message) -> None:
    """A server that never answers."""
    return None


def servfail(query: dns.message.Message) -> dns.message.Message:
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.SERVFAIL)
    return response


class ZoneHandler:
    """Authoritative answers from zone text (absolute names), with a chosen negative TTL."""

    def __init__(self, zone_text: str, *, negative_ttl: int = 30) -> None:
        self.zone = dns.zone.from_text(
            zone_text, origin=dns.name.root, relativize=False, check_origin=False
        )
        self.soa = dns.rrset.from_text(
            ".",
            negative_ttl,
            "IN",
            "SOA",
            f"ns.test. hostmaster.test. 1 3600 600 86400 {negative_ttl}",
        )

    def __call__(self, query: dns.message.Message) -> dns.message.Message:
        question = query.question[0]
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        node = self.zone.get_node(question.name)
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(self.soa)
            return response
        rdataset = node.get_rdataset(dns.rdataclass.IN, question.rdtype)
        if rdataset is None:
            response.authority.append(self.soa)
            return response
        rrset = dns.rrset.RRset(question.name, dns.rdataclass.IN, question.rdtype)
        rrset.update(rdataset)
        response.answer.append(rrset)
        return response


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """NSD serving the demo zone on loopback; yields ``"127.0.0.1:PORT"``."""
    binary = require_binary("nsd", "nsd")
    server = NsdServer(
        binary, DEMO_ZONE.read_text(encoding="utf-8"), tmp_path_factory.mktemp("nsd")
    )
    server.start()
    try:
        yield server.address
    finally:
        server.stop()


@pytest.fixture
def silent_dns_server() -> Iterator[FakeDnsServer]:
    """A server that receives queries and never answers them."""
    server = FakeDnsServer(silent).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def servfail_dns_server() -> Iterator[FakeDnsServer]:
    """A server that answers every query with SERVFAIL."""
    server = FakeDnsServer(servfail).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo_zone_dns_server() -> Iterator[FakeDnsServer]:
    """A Python server answering from the demo zone, counting the queries it gets."""
    server = FakeDnsServer(ZoneHandler(DEMO_ZONE.read_text(encoding="utf-8"))).start()
    try:
        yield server
    finally:
        server.stop()
