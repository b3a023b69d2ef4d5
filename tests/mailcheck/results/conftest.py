"""The API's tests run on the demo service and the demo DNS zone."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(settings: Any, db: None) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
