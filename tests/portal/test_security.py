"""Security headers on every page, private result pages, and the production settings as an
operator starts them (`manage.py check --deploy`)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
QUERY = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"}


@pytest.fixture
def demo(db: None, settings: Any) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"
    call_command("loaddemo", "--no-admin")


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("url", ["/", "/en/", "/faq/", "/en/check/"])
def test_every_page_forbids_inline_scripts_and_foreign_sources(
    client: Client, demo: None, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # No page carries an inline script for the policy to block.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())


def test_every_page_denies_camera_microphone_and_location(client: Client, demo: None) -> None:
    header = client.get("/")["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    # The copy buttons on the result page need the clipboard, on our own pages only.
    assert features["clipboard-write"] == "(self)"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_result_page_is_neither_stored_nor_indexed(
    client: Client, demo: None, prefix: str
) -> None:
    response = client.get(f"{prefix}/check/", QUERY)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_a_form_with_errors_is_neither_stored_nor_indexed(client: Client, demo: None) -> None:
    # The typed address is shown again on the page, so it is as private as a result.
    response = client.get("/check/", {"account": "", "mail_from": "iij-jiro@iijmio-mail.jp"})
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.mark.parametrize("url", ["/check/", "/en/check/"])
def test_the_empty_check_form_stays_cacheable_and_indexable(
    client: Client, demo: None, url: str
) -> None:
    response = client.get(url)
    assert "no-store" not in response.get("Cache-Control", "")
    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in response.content.decode()


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DJANGO_", "ADMIN_", "BEHIND_TLS_PROXY"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="support.example.jp",
        SECURE_HSTS_SECONDS="31536000",
        **extra,
    )
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deployment_check_passes_with_the_documented_production_settings() -> None:
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "warning"),
    [
        ("SECURE_SSL_REDIRECT", "security.W008"),
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "security.W005"),
        ("SECURE_HSTS_PRELOAD", "security.W021"),
    ],
)
def test_each_secure_default_can_be_turned_off(variable: str, warning: str) -> None:
    # A plain-HTTP test install, say; the deployment check then says what is missing.
    result = check_deploy(production_env(**{variable: "false"}))
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_the_https_redirect_leaves_the_load_balancers_health_probes_alone(
    db: None, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
    client = Client()
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
