"""Fixtures for the batch tests: the demo service and the immediate task backend."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pytest_django.fixtures import SettingsWrapper

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# README's table of demo cases: account, address, outcome before and after the change, and
# the SPF verdicts before and after.
DEMO_CASES = [
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", "pass", "pass"),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", "pass", "softfail"),
    ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp", "pass", "softfail"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp", "softfail", "softfail"),
    ("iij-taro.iijmio-mail.jp", "someone@example.com", "none", "none"),
]


@pytest.fixture
def demo(settings: SettingsWrapper, db: None) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())


@pytest.fixture
def immediate(settings: SettingsWrapper) -> None:
    """Tasks run inside the upload's request: for tests that are not about the worker."""
    settings.TASKS = IMMEDIATE
    settings.BATCH_RATE_LIMIT = ""


def demo_csv(cases: list[tuple[str, str, str, str]] = DEMO_CASES) -> bytes:
    return ("account,mail_from\n" + "".join(f"{a},{m}\n" for a, m, _b, _f in cases)).encode()
