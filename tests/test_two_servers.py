"""Two production servers behind one load balancer, sharing one PostgreSQL and one Redis.

Each machine of a multi-machine deployment runs its own gunicorn; a customer's next request may
reach either. What one machine learns must hold on the other: the checks a client has used up,
an edit of the service's configuration, and a DNS answer still within its TTL. The test client
cannot show any of this, since it runs in one process with its own memory; here two real
server processes (gunicorn, DEBUG off) answer, and only the database and Redis join them.

The servers trust 127.0.0.1 as their load balancer, so each test names its client in
X-Forwarded-For and the rate limit of one test does not refuse another's checks.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
import redis
from psycopg import sql

from tests.dnsserver import DEMO_ZONE, FakeDnsServer, ZoneHandler
from tests.servers import (  # noqa: F401  (fixture)
    PortalServer,
    Response,
    manage,
    prepare_database,
    static_env,
    static_root,
)

pytestmark = pytest.mark.process

# The machine's PostgreSQL (trust authentication) and Redis. A database of its own is created
# for each run, so the pytest-django test database is never touched; Redis database 12 is used
# by nothing else in the suite (CI's suite uses 15, the benchmarks 14), and every key carries a
# prefix of this run's own.
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/12"

# Per hour rather than per minute: django-ratelimit counts in fixed windows, and a window that
# ended between the third and the fourth check would start the count afresh. With an hour the
# chance of that is about one in a thousand runs at most.
RATE_LIMIT = "3/h"
ACCOUNT = "iij-taro.iijmio-mail.jp"
NEW_ADDRESS = "192.0.2.99"

_clients = (f"198.18.0.{n}" for n in itertools.count(1))


def fresh_client() -> str:
    """A client address no other check of this run has used (RFC 2544's benchmark range)."""
    return next(_clients)


def unavailable(reason: str) -> NoReturn:
    """Skip without the system services; in CI (MAILCHECK_REQUIRE_SYSTEM_DEPS=1) fail."""
    if os.environ.get("MAILCHECK_REQUIRE_SYSTEM_DEPS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def shared_backends() -> Iterator[dict[str, str]]:
    """A new PostgreSQL database and a key prefix in Redis, both removed at the end."""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        unavailable(f"no PostgreSQL at {POSTGRES_ADMIN_URL}: {exc}")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        admin.close()
        unavailable(f"no Redis at {REDIS_URL}: {exc}")

    run = uuid.uuid4().hex[:12]
    name = f"portal_it_{run}"
    prefix = f"two-servers-{run}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {
            "DATABASE_URL": POSTGRES_URL.format(name=name),
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": prefix,
        }
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        admin.execute(drop.format(sql.Identifier(name)))
        admin.close()
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture(scope="module")
def counting_dns_server() -> Iterator[FakeDnsServer]:
    """The demo zone served on loopback; it records every query it receives."""
    server = FakeDnsServer(ZoneHandler(DEMO_ZONE.read_text(encoding="utf-8"))).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def servers(
    shared_backends: dict[str, str],
    counting_dns_server: FakeDnsServer,
    static_root: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PortalServer, PortalServer]]:
    """Servers A and B, one worker process each (so a check surely warms the process that
    answers the next one), started once for the module."""
    env = {
        **shared_backends,
        **static_env(static_root),
        "WEB_WORKERS": "1",
        "WEB_THREADS": "4",
        "TRUSTED_PROXIES": "127.0.0.1",
        "MAILCHECK_DNS": f"live:{counting_dns_server.address}",
        "CHECK_RATE_LIMIT": RATE_LIMIT,
        "CHECK_DOMAIN_RATE_LIMIT": "",
    }
    prepare_database(env)
    logs = tmp_path_factory.mktemp("two-servers")
    started: list[PortalServer] = []
    try:
        for label in ("a", "b"):
            started.append(PortalServer(env, logs / f"server-{label}.log").start())
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()


def check(server: PortalServer, mail_from: str, client: str, *, lang: str = "en") -> Response:
    prefix = "/en" if lang == "en" else ""
    return server.get(
        f"{prefix}/check/",
        {"account": ACCOUNT, "mail_from": mail_from},
        headers={"X-Forwarded-For": client},
    )


def test_a_client_s_checks_are_counted_together_whichever_server_answers(
    servers: tuple[PortalServer, PortalServer],
) -> None:
    a, b = servers
    client = fresh_client()
    mail_from = "iij-taro@iijmio-mail.jp"

    allowed = [check(server, mail_from, client) for server in (a, b, a)]
    fourth = check(b, mail_from, client)
    fifth = check(a, mail_from, client, lang="ja")
    other_client = check(b, mail_from, fresh_client())

    assert [r.status for r in allowed] == [200, 200, 200]
    # The limit is reached on B although B itself has answered only one check, and A, which
    # answered two, refuses the fifth: the two share one count.
    assert fourth.status == 429, fourth.text[:500]
    assert 1 <= int(fourth.headers["retry-after"]) <= 3600
    assert "Too many checks in a short time" in fourth.text
    assert "no-store" in fourth.headers["cache-control"]
    assert fifth.status == 429, fifth.text[:500]
    assert 1 <= int(fifth.headers["retry-after"]) <= 3600
    assert '<html lang="ja"' in fifth.text
    # The count is the client's: another address still gets its answer.
    assert other_client.status == 200


def test_a_configuration_edit_shows_on_both_servers_at_their_next_check(
    servers: tuple[PortalServer, PortalServer],
) -> None:
    a, b = servers
    mail_from = "iij-taro@iijmio-mail.jp"  # the mailbox of the account: the SPF-listed route
    warm = [check(server, mail_from, fresh_client()) for server in (a, b)]
    assert [r.status for r in warm] == [200, 200]
    assert all("192.0.2.25" in r.text for r in warm)
    assert not any(NEW_ADDRESS in r.text for r in warm)

    # What the admin's inline for outbound addresses does: one row saved through the ORM.
    manage(
        a.env,
        "shell",
        "-c",
        "from mailcheck.models import Route, RouteAddress\n"
        "route = Route.objects.get(service__is_active=True, kind='listed')\n"
        f"address = RouteAddress(route=route, address='{NEW_ADDRESS}')\n"
        "address.full_clean()\n"
        "address.save()\n",
    )

    after = [check(server, mail_from, fresh_client()) for server in (a, b)]
    assert [r.status for r in after] == [200, 200]
    for server, response in zip("AB", after, strict=True):
        shown = f"<code>{NEW_ADDRESS}</code>" in response.text
        assert shown, f"server {server} still shows the configuration from before the edit"
        assert "192.0.2.25" in response.text


def test_a_dns_answer_one_server_received_spares_the_other_the_query(
    servers: tuple[PortalServer, PortalServer], counting_dns_server: FakeDnsServer
) -> None:
    a, b = servers
    # A customer's own domain that no other check here asks about: its answers are not yet in
    # the shared cache.
    mail_from = "example@example.jp"
    before = counting_dns_server.query_count

    first = check(a, mail_from, fresh_client())
    asked = counting_dns_server.query_count
    # Any query B sends is recorded before it is answered, so before B's page is.
    second = check(b, mail_from, fresh_client())

    assert (first.status, second.status) == (200, 200)
    assert "spf=softfail" in first.text
    assert asked > before, "server A sent no DNS query: the test did not start cold"
    new_names = {name for name, _type in counting_dns_server.queries[before:asked]}
    assert "example.jp." in new_names
    assert counting_dns_server.query_count == asked, counting_dns_server.queries[asked:]
    # B answered from the shared answers, and answered the same.
    assert first.text.count("spf=softfail") == second.text.count("spf=softfail")
