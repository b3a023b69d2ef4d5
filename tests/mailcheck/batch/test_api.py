"""POST /api/v1/batches and GET /api/v1/batches/<id>, with tasks run at once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mailcheck.batch.models import Batch
from tests.mailcheck.batch.conftest import DEMO_CASES, demo_csv

pytestmark = pytest.mark.django_db


def post_csv(client: Client, raw: bytes, **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/batches", raw, content_type="text/csv", headers=headers)


def test_a_csv_body_makes_a_batch_whose_rows_the_api_returns(
    client: Client, demo: None, immediate: None
) -> None:
    response = post_csv(client, demo_csv() + b"only-one\n", **{"Accept-Language": "en"})
    assert response.status_code == 201, response.content
    created = response.json()
    batch = Batch.objects.get()
    assert created["id"] == batch.public_id
    assert created["total"] == 6
    assert created["url"] == f"http://testserver/en/check/batch/{batch.public_id}/"
    assert created["status_url"] == f"http://testserver/api/v1/batches/{batch.public_id}"
    answer = client.get(f"/api/v1/batches/{batch.public_id}", headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    data = answer.json()
    assert (data["status"], data["done"], data["failed"], data["finished"]) == ("done", 6, 1, True)
    rows = data["rows"]
    assert [(r["account"], r["mail_from"], r["spf_before"], r["spf_after"]) for r in rows[:5]] == [
        tuple(case) for case in DEMO_CASES
    ]
    assert rows[1]["outcome_after"] == "at_risk" and rows[1]["matches"] is False
    assert rows[1]["fix_account"] == "iij-jiro.iijmio-mail.jp"
    assert rows[5]["status"] == "error"
    assert rows[5]["error"]["code"] == "columns"
    assert rows[5]["error"]["message"].startswith("This line has 1 columns")


def test_an_empty_file_is_refused(client: Client, demo: None) -> None:
    upload = SimpleUploadedFile("list.csv", b"", content_type="text/csv")
    response = client.post("/api/v1/batches", {"file": upload})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "empty"


def test_a_multipart_file_is_accepted_too(client: Client, demo: None, immediate: None) -> None:
    upload = SimpleUploadedFile("list.csv", demo_csv(), content_type="text/csv")
    response = client.post("/api/v1/batches", {"file": upload})
    assert response.status_code == 201
    assert response.json()["total"] == 5


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"a.e23.jp,\x81\xff@e23.jp\n", "encoding"),
        (b"account,mail_from\nonly-one\n", "no_valid_rows"),
    ],
)
def test_a_refused_file_answers_400_with_the_field_and_code(
    client: Client, demo: None, immediate: None, raw: bytes, code: str
) -> None:
    response = post_csv(client, raw)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("file", code)
    assert error["message"]
    assert not Batch.objects.exists()


def test_too_many_rows_names_the_limit(
    client: Client, demo: None, immediate: None, settings: SettingsWrapper
) -> None:
    settings.BATCH_MAX_ROWS = 3
    response = post_csv(client, demo_csv(), **{"Accept-Language": "en"})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "too_many_rows"
    assert "more than 3 rows" in error["message"]


def test_a_body_of_another_type_is_refused(client: Client, demo: None) -> None:
    response = client.post("/api/v1/batches", {"x": 1}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "required"


def test_uploads_are_limited_per_client(
    client: Client, demo: None, immediate: None, settings: SettingsWrapper
) -> None:
    settings.BATCH_RATE_LIMIT = "1/h"
    assert post_csv(client, demo_csv()).status_code == 201
    refused = post_csv(client, demo_csv())
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0


def test_an_unknown_batch_is_a_json_404(client: Client, demo: None) -> None:
    response = client.get("/api/v1/batches/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_a_running_batch_has_no_rows_yet(client: Client, demo: None) -> None:
    batch = Batch.objects.create(total=10, done=4)
    data = client.get(f"/api/v1/batches/{batch.public_id}").json()
    assert (data["status"], data["done"], data["percent"], data["rows"]) == ("queued", 4, 40, None)


def test_the_openapi_document_describes_the_batch_routes(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    post = document["paths"]["/api/v1/batches"]["post"]
    assert set(post["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
    assert set(post["responses"]) >= {"201", "400", "429"}
    get = document["paths"]["/api/v1/batches/{batch_id}"]["get"]
    assert set(get["responses"]) == {"200", "404"}
    schemas = document["components"]["schemas"]
    assert {"BatchCreated", "BatchOut", "BatchRowOut", "Errors"} <= set(schemas)
