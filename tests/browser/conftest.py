"""The browser suite: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser serves the whole session; every test gets a fresh context (cookies, clipboard
permissions) and the demo data. When Chromium is missing the tests skip with the reason, except
in CI (MAILCHECK_REQUIRE_SYSTEM_DEPS=1), where a missing browser fails the run instead.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses ORM
# calls from a thread with a running loop. The live server runs in its own thread; the loop is
# only a test-process detail, so the check is switched off here and nowhere else.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("MAILCHECK_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def require(condition: bool, reason: str) -> None:
    """Skip for want of a system package, or fail where CI says the package must be there."""
    if condition:
        return
    if os.environ.get("MAILCHECK_REQUIRE_SYSTEM_DEPS") == "1":
        pytest.fail(f"{reason} (MAILCHECK_REQUIRE_SYSTEM_DEPS=1: required here)", pytrace=False)
    pytest.skip(f"{reason}; install it with `scripts/setup --system`")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Where the system packages are required (CI), a browser test that skips for any reason
    fails instead: a green run must mean the browser suite ran."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    required = os.environ.get("MAILCHECK_REQUIRE_SYSTEM_DEPS") == "1"
    if required and report.skipped and item.get_closest_marker("browser"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but MAILCHECK_REQUIRE_SYSTEM_DEPS=1: {report.longrepr}"


def japanese_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run(
        [fc_list, ":lang=ja", "family"], capture_output=True, text=True, check=False
    ).stdout
    return bool(out.strip())


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    require(CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    return str(live_server.url)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ja-JP", "viewport": DESKTOP}


@pytest.fixture(scope="session", autouse=True)
def migrated_state(django_db_setup: None, django_db_blocker: Any) -> str:
    """The rows the migrations wrote (check topics, the support editors' group), as Django
    serialized them after migrating, taken before the browser starts."""
    connection = connections[DEFAULT_DB_ALIAS]
    snapshot = getattr(connection, "_test_serialized_contents", None)
    if snapshot is None:
        with django_db_blocker.unblock():
            snapshot = connection.creation.serialize_db_to_string()
    return str(snapshot)


@pytest.fixture(autouse=True)
def serialized_rollback_snapshot(migrated_state: str) -> None:
    """Playwright keeps an event loop running in the test thread, and from then on Django hands
    the tests another connection object, one without the snapshot, so Django's serialized
    rollback would silently restore nothing. Give the snapshot to the connection in use (this
    fixture runs before the database fixtures that read it)."""
    connections[DEFAULT_DB_ALIAS]._test_serialized_contents = migrated_state  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def demo_data(
    live_server: Any,
    transactional_db: None,
    django_db_serialized_rollback: None,
    settings: Any,
) -> Iterator[None]:
    """The demo service, its content and the demo admin, loaded fresh for every test. The live
    server needs a transactional database, which is emptied after each test; the serialized
    rollback puts the migrations' rows back before the next."""
    # A fast hasher: the admin test logs in, and the default one takes half a second a hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("loaddemo", stdout=io.StringIO())
    yield


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """The pages read the compiled catalogues (*.mo, not kept in git): compile them when a .po
    is newer, so a bare `pytest` after editing a translation tests the new words."""
    stale = [
        po
        for po in (ROOT / "locale").glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "compile_messages.py")], check=True)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    require(japanese_font_installed(), "No Japanese font is installed (fonts-ipafont-gothic)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
