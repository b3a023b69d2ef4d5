"""POST /api/v1/check and GET /api/v1/results/<code>, by their public URLs."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from mailcheck.api.models import ApiToken

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/check"


def post(client: Client, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(CHECK, data, content_type="application/json", headers=headers)


def without_timings(value: Any) -> Any:
    """The document with each DNS query's time left out: the one part two runs never share."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "ms"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


# README's table of the demo data: account, envelope From, SPF before and from 2014-03-25.
README_CASES = [
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", "pass", "pass"),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", "pass", "softfail"),
    ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp", "pass", "softfail"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp", "softfail", "softfail"),
    ("iij-taro.iijmio-mail.jp", "someone@example.com", "none", "none"),
]


@pytest.mark.parametrize(("account", "mail_from", "before", "after"), README_CASES)
def test_it_answers_the_notices_cases(
    client: Client, demo: None, account: str, mail_from: str, before: str, after: str
) -> None:
    response = post(client, {"account": account, "mail_from": mail_from})

    assert response.status_code == 200
    data = response.json()
    assert (data["before"]["spf"], data["after"]["spf"]) == (before, after)
    assert data["matches"] == (
        account.removesuffix(".iijmio-mail.jp") + "@iijmio-mail.jp" == mail_from
    )
    assert "code" not in data and "url" not in data


def test_it_answers_the_same_document_as_the_command_line(client: Client, demo: None) -> None:
    args = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"}
    out = io.StringIO()
    call_command(
        "mailcheck",
        "--account",
        args["account"],
        "--mail-from",
        args["mail_from"],
        "--json",
        stdout=out,
    )

    response = post(client, args)

    assert without_timings(response.json()) == without_timings(json.loads(out.getvalue()))


def test_the_visible_from_decides_by_its_dmarc_policy(client: Client, demo: None) -> None:
    response = post(
        client,
        {
            "account": "iij-taro.iijmio-mail.jp",
            "mail_from": "iij-jiro@iijmio-mail.jp",
            "header_from": "someone@example.jp",
        },
    )

    data = response.json()
    assert data["header_from"] == "someone@example.jp"
    assert data["dmarc"]["policy"] == "quarantine"
    assert data["after"]["outcome"] == "quarantine"


def test_invalid_input_is_refused_with_the_command_lines_errors(client: Client, demo: None) -> None:
    response = post(client, {"account": "iij taro.iijmio-mail.jp", "mail_from": ""})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("account", "has_space"),
        ("mail_from", "empty"),
    ]
    assert all(e["message"] for e in errors)


def test_messages_follow_accept_language(client: Client, demo: None) -> None:
    body = {"account": "iij-taro.iijmio-mail.jp", "mail_from": ""}
    japanese = post(client, body).json()["errors"][0]["message"]
    english = post(client, body, **{"Accept-Language": "en"}).json()["errors"][0]["message"]

    assert japanese != english
    assert english.isascii() and not japanese.isascii()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", [("body", "malformed_json")]),
        ("[]", [("body", "wrong_type")]),
        ('"iij-taro"', [("body", "wrong_type")]),
        ({"account": 1, "mail_from": "a@iijmio-mail.jp"}, [("account", "wrong_type")]),
        ({"account": "a.iijmio-mail.jp"}, [("mail_from", "required")]),
        (
            {"account": "a.iijmio-mail.jp", "mail_from": "a@iijmio-mail.jp", "save": "yes"},
            [("save", "wrong_type")],
        ),
        (
            {"account": "a.iijmio-mail.jp", "mailfrom": "a@iijmio-mail.jp"},
            [("mail_from", "required"), ("mailfrom", "unknown_field")],
        ),
    ],
)
def test_malformed_requests_get_400_in_the_same_shape(
    client: Client, demo: None, body: Any, expected: list[tuple[str, str]]
) -> None:
    response = post(client, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == expected
    assert all(set(e) == {"field", "code", "message"} and e["message"] for e in errors)


def test_no_csrf_token_is_needed(demo: None) -> None:
    client = Client(enforce_csrf_checks=True)

    response = post(
        client, {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"}
    )

    assert response.status_code == 200


def test_a_wrong_token_is_refused_with_401(client: Client, demo: None) -> None:
    body = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"}
    token = ApiToken(name="help desk", is_active=False)
    inactive = token.issue()
    token.save()

    for header in ("Bearer mcp_wrong", f"Bearer {inactive}", "Basic dXNlcjpwYXNz"):
        response = post(client, body, Authorization=header)
        assert response.status_code == 401, header
        assert response.json()["errors"][0]["code"] == "invalid_token"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_has_its_own_higher_limit(client: Client, demo: None, settings: Any) -> None:
    settings.CHECK_RATE_LIMIT = "2/m"
    body = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"}
    token = ApiToken(name="help desk", rate_limit="4/m")
    secret = token.issue()
    token.save()

    anonymous = [post(client, body).status_code for _ in range(3)]
    with_token = [
        post(client, body, Authorization=f"Bearer {secret}").status_code for _ in range(5)
    ]

    assert anonymous == [200, 200, 429]
    assert with_token == [200, 200, 200, 200, 429]
    token.refresh_from_db()
    assert token.last_used is not None


def test_a_token_is_stored_only_as_a_digest(db: None) -> None:
    token = ApiToken(name="help desk")
    secret = token.issue()
    token.save()

    row = ApiToken.objects.values().get(pk=token.pk)
    assert secret not in json.dumps(row, default=str)
    assert ApiToken.objects.authenticate(secret) == token


def test_past_the_limit_the_answer_is_429_json_with_retry_after(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    body = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"}
    post(client, body)

    response = post(client, body)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["code"] == "rate_limited"
    assert "no-store" in response["Cache-Control"]


def test_the_api_and_the_page_share_the_limit_per_client(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    client.get("/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp")

    response = post(
        client, {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"}
    )

    assert response.status_code == 429


def test_save_returns_a_code_and_the_result_reads_back(client: Client, demo: None) -> None:
    body = {
        "account": "iij-taro.iijmio-mail.jp",
        "mail_from": "iij-jiro@iijmio-mail.jp",
        "save": True,
    }

    saved = post(client, body).json()

    code = saved["code"]
    assert saved["url"] == f"http://testserver/r/{code}/"
    read = client.get(f"/api/v1/results/{code.lower().replace('-', ' ')}")
    assert read.status_code == 200
    data = read.json()
    assert data["code"] == code
    assert data["after"]["spf"] == "softfail"
    assert data["checked_at"].endswith("+09:00")
    assert without_timings(
        {k: v for k, v in data.items() if k not in {"checked_at", "expires"}}
    ) == without_timings(saved)


def test_an_unknown_code_is_a_json_404(client: Client, demo: None) -> None:
    response = client.get("/api/v1/results/ABCD-EFGH")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_the_documentation_page_lists_the_operations_under_the_csp(
    client: Client, demo: None
) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/check" in html and "CheckRequest" in html and "SpfResult" in html
    assert "<script" not in html.replace('<script src="/static/', "")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
