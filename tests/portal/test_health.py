"""/healthz and /readyz, the probes a load balancer asks."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.db.utils import ConnectionHandler
from django.test import Client

from portal import health


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthz_answers_ok_without_the_database(client: Client) -> None:
    # No django_db mark: any database query here would fail the test.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_the_probes_are_neither_prefixed_nor_redirected(client: Client, db: None, url: str) -> None:
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    assert client.get(f"/en{url}").status_code == 404


@pytest.mark.django_db
def test_readyz_answers_ready_when_database_and_cache_answer(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ready\n"


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_unreachable(client: Client, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.content.decode() == "cache: ConnectionError\n"


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_unreachable(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "portal",
                "USER": "portal",
                "HOST": "127.0.0.1",
                "PORT": str(closed_port()),
            }
        }
    )
    monkeypatch.setattr(health, "connections", unreachable)
    try:
        response = client.get("/readyz")
    finally:
        unreachable.close_all()

    assert response.status_code == 503
    assert response.content.decode() == "database: OperationalError\n"
