"""Log lines: JSON with the request id, and never a mail address."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import path

from portal.logging import MASK, mask
from portal.urls import urlpatterns as portal_urlpatterns

ADDRESS = "iij-taro@iijmio-mail.jp"


def broken_view(request: Any) -> Any:
    raise ValueError(f"a programming error while reading {ADDRESS}")


urlpatterns = [*portal_urlpatterns, path("broken/", broken_view)]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The settings' LOGGING with the JSON format, written to a buffer."""
    stream = io.StringIO()
    config = copy.deepcopy(django_settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        logging.config.dictConfig(django_settings.LOGGING)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    "text",
    [
        "iij-taro@iijmio-mail.jp",
        "GET /check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro%40iijmio-mail.jp HTTP/1.1",
        "Iij.Taro+tag@Example.JP.",
        '"john doe"@example.jp',
        "user@[192.0.2.1]",
        "ユーザー@例え.jp",
    ],
)
def test_it_masks_anything_that_looks_like_a_mail_address(text: str) -> None:
    masked = mask(text)

    assert MASK in masked
    assert "@" not in masked and "%40" not in masked.lower()


def test_it_keeps_the_rest_of_the_line() -> None:
    masked = mask("/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro%40iijmio-mail.jp")

    assert masked == f"/check/?account=iij-taro.iijmio-mail.jp&mail_from={MASK}"


def test_an_address_in_a_message_argument_or_extra_field_is_masked(json_log: io.StringIO) -> None:
    log = logging.getLogger("portal.tests")

    log.warning("checked %s", ADDRESS, extra={"input": {"mail_from": ADDRESS}})
    try:
        raise ValueError(f"bad input {ADDRESS}")
    except ValueError:
        log.exception("failed for %(who)s", {"who": ADDRESS})

    out = json_log.getvalue()
    assert ADDRESS not in out
    first, second = lines(json_log)
    assert first["message"] == f"checked {MASK}"
    assert first["input"] == {"mail_from": MASK}
    assert first["level"] == "WARNING"
    assert first["request_id"] == "-"
    assert "ValueError: bad input [mail address]" in second["exc_info"]


@pytest.mark.django_db
def test_every_line_of_a_request_has_its_id_and_no_address(
    client: Client, settings: Any, json_log: io.StringIO
) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())

    response = client.get(
        "/en/check/", {"account": "iij-taro.iijmio-mail.jp", "mail_from": ADDRESS}
    )

    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    out = json_log.getvalue()
    assert ADDRESS not in out and "iij-taro%40" not in out
    records = [r for r in lines(json_log) if r["request_id"] == request_id]
    check_line = next(r for r in records if r["logger"] == "mailcheck.views")
    assert check_line["before"] == "pass" and check_line["after"] == "pass"
    assert check_line["match"] == "same" and check_line["service_domain"] is True
    assert check_line["check_ms"] >= 0
    request_line = next(r for r in records if r["logger"] == "portal.logging")
    assert request_line["path"] == "/en/check/"
    assert request_line["status"] == 200


@pytest.mark.urls(__name__)
def test_a_programming_error_is_logged_with_its_traceback_and_becomes_a_500(
    settings: Any, json_log: io.StringIO
) -> None:
    client = Client(raise_request_exception=False)

    response = client.get(f"/broken/?mail_from={ADDRESS}")

    assert response.status_code == 500
    error = next(r for r in lines(json_log) if r["logger"] == "django.request")
    assert error["level"] == "ERROR"
    assert error["request_id"] == response["X-Request-ID"]
    assert "Traceback" in error["exc_info"] and "broken_view" in error["exc_info"]
    assert ADDRESS not in json_log.getvalue()


def test_an_incoming_request_id_is_kept_only_from_a_trusted_proxy(
    client: Client, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = []
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-123")["X-Request-ID"] != "lb-123"

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-123")["X-Request-ID"] == "lb-123"
    assert client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{')["X-Request-ID"] != 'x"\n{'
