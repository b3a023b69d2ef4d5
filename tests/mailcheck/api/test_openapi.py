"""The API's answers against its own OpenAPI document: schemathesis generates requests from
the document (valid and invalid) and checks every answer's status, content type and body
against it, in-process through the WSGI application; jsonschema checks chosen answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from referencing import Registry, Resource
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# This module's own operations; other routers (batches) test theirs.
ours = schema.include(tag_regex="^(check|results)$")


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """The WSGI application closes the database connection at the end of each request; the
    test's own transaction lives on it (on PostgreSQL the next query would fail). Django's test
    client keeps it open the same way: by disconnecting close_old_connections meanwhile."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def open_limits(settings: Any) -> None:
    # The fuzzer sends hundreds of checks: the limits would answer 429 to most.
    settings.CHECK_RATE_LIMIT = ""
    settings.CHECK_DOMAIN_RATE_LIMIT = ""


@ours.parametrize()
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_matches_the_document(case: Any, demo: None, open_limits: None) -> None:
    # "Valid by the document means accepted" does not hold here: the document says an address
    # is a string, and only the check can say that "0000" is no address (400, as documented).
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def document() -> dict[str, Any]:
    return json.loads(Client().get("/api/v1/openapi.json").content)


def validator(doc: dict[str, Any], name: str) -> jsonschema.protocols.Validator:
    """A validator for one of the document's schemas, its $refs resolved in the document."""
    registry: Registry[Any] = Registry().with_resource("urn:openapi", Resource.opaque(doc))
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{name}"}, registry=registry
    )


@pytest.mark.parametrize(
    "body",
    [
        {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"},
        {
            "account": "iij-taro.iijmio-mail.jp",
            "mail_from": "iij-jiro@iijmio-mail.jp",
            "header_from": "someone@example.jp",
            "save": True,
        },
        {"account": "iiij-taro.iijmio-mail.jp", "mail_from": "example@example.jp"},
    ],
)
def test_a_check_answer_validates_against_its_schema(
    client: Client, demo: None, body: dict[str, Any]
) -> None:
    doc = document()
    answer = client.post("/api/v1/check", body, content_type="application/json").json()

    validator(doc, "CheckAnswer").validate(answer)
    # Every part is described: before/after, details, fixes, findings and dmarc.
    check = doc["components"]["schemas"]["CheckAnswer"]["properties"]
    assert {"before", "after", "fixes", "findings", "dmarc"} <= set(check)


def test_a_wrong_answer_would_not_validate(client: Client, demo: None) -> None:
    doc = document()
    answer = client.post(
        "/api/v1/check",
        {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"},
        content_type="application/json",
    ).json()
    answer["after"]["spf"] = "maybe"

    with pytest.raises(jsonschema.ValidationError):
        validator(doc, "CheckAnswer").validate(answer)


def test_errors_and_saved_results_validate_against_their_schemas(
    client: Client, demo: None
) -> None:
    doc = document()
    bad = client.post("/api/v1/check", "{", content_type="application/json").json()
    saved = client.post(
        "/api/v1/check",
        {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@e23.jp", "save": True},
        content_type="application/json",
    ).json()
    read = client.get(f"/api/v1/results/{saved['code']}").json()
    missing = client.get("/api/v1/results/ZZZZ-ZZZZ").json()

    validator(doc, "Errors").validate(bad)
    validator(doc, "SavedResultAnswer").validate(read)
    validator(doc, "Errors").validate(missing)
