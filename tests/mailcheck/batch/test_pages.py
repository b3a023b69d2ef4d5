"""The batch pages by their public URLs, with tasks run at once (the immediate backend)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mailcheck.batch.models import Batch, BatchRow
from tests.mailcheck.batch.conftest import DEMO_CASES, demo_csv

pytestmark = pytest.mark.django_db


def upload(client: Client, raw: bytes, url: str = "/check/batch/", name: str = "list.csv"):  # type: ignore[no-untyped-def]
    return client.post(url, {"file": SimpleUploadedFile(name, raw, content_type="text/csv")})


def field_error(html: str) -> str:
    found = re.search(r'<p class="field__error" id="id_file_error">(.*?)</p>', html, flags=re.S)
    assert found, "no error under the file field"
    return found.group(1)


@pytest.mark.parametrize(
    ("url", "lang", "title"),
    [("/check/batch/", "ja", "まとめて"), ("/en/check/batch/", "en", "Check many mailboxes")],
)
def test_the_upload_form_is_served_in_both_languages(
    client: Client, demo: None, url: str, lang: str, title: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert title in html
    assert 'type="file" name="file"' in html
    assert 'href="' + url + 'sample.csv"' in html


def test_the_sample_file_is_a_batch_the_form_accepts(
    client: Client, demo: None, immediate: None
) -> None:
    sample = client.get("/check/batch/sample.csv")
    assert sample["Content-Type"].startswith("text/csv")
    assert sample.content.startswith(b"\xef\xbb\xbf")
    response = upload(client, sample.content)
    assert response.status_code == 302
    batch = Batch.objects.get()
    assert (batch.total, batch.done, batch.failed, batch.status) == (4, 4, 0, "done")


def test_an_upload_checks_every_demo_case_as_the_readme_says(
    client: Client, demo: None, immediate: None
) -> None:
    response = upload(client, demo_csv())
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/check/batch/{batch.public_id}/"
    assert len(batch.public_id) >= 22
    assert batch.status == Batch.Status.DONE
    found = [
        (r.account, r.mail_from, r.spf_before, r.spf_after)
        for r in BatchRow.objects.filter(batch=batch).order_by("line")
    ]
    assert found == DEMO_CASES
    second = BatchRow.objects.get(batch=batch, line=3)
    assert (second.match, second.route_before, second.route_after) == (
        "mailbox_differs",
        "listed",
        "unlisted",
    )
    assert (second.outcome_before, second.outcome_after) == ("delivered", "at_risk")
    assert second.fix_account == "iij-jiro.iijmio-mail.jp"


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", ("配信されます", "行番号")), ("/en", ("Delivered", "Line"))],
)
def test_the_batch_page_shows_counts_and_a_row_per_line_in_its_language(
    client: Client, demo: None, immediate: None, prefix: str, words: tuple[str, str]
) -> None:
    raw = demo_csv() + b"only-one-column\n"
    upload(client, raw, url=f"{prefix}/check/batch/")
    batch = Batch.objects.get()
    response = client.get(f"{prefix}/check/batch/{batch.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in html
    assert re.search(r'<progress id="batch-progress-bar"[^>]*max="6" value="6"', html)
    assert html.count('<tr class="batch-row--error">') == 1
    assert len(re.findall(r"<tr(?: class=\"batch-row--error\")?>\s*<td>\d+</td>", html)) == 6
    for word in words:
        assert word in html
    assert "badge--softfail" in html and "badge--pass" in html
    assert "iij-jiro.iijmio-mail.jp" in html  # the change: log in with the address's account
    # The malformed line is listed with its number.
    errors = re.search(r'<ul class="batch-errors">(.*?)</ul>', html, flags=re.S)
    assert errors and "7" in errors.group(1)


def test_the_status_endpoint_reports_progress_as_json(
    client: Client, demo: None, immediate: None
) -> None:
    upload(client, demo_csv())
    batch = Batch.objects.get()
    response = client.get(f"/en/check/batch/{batch.public_id}/status.json")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "done" and data["finished"] is True
    assert (data["total"], data["done"], data["failed"], data["percent"]) == (5, 5, 0, 100)
    assert data["progress_text"] == "5 of 5 lines done"


def test_a_running_batch_has_a_progress_bar_a_reload_link_and_a_refresh_without_scripts(
    client: Client, demo: None
) -> None:
    batch = Batch.objects.create(total=400, done=100)
    html = client.get(f"/en/check/batch/{batch.public_id}/").content.decode()
    assert re.search(
        r'<progress id="batch-progress-bar"[^>]*max="400" value="100">25%</progress>', html
    )
    assert "100 of 400 lines done" in html
    assert '<noscript><meta http-equiv="refresh"' in html
    assert f'href="/en/check/batch/{batch.public_id}/">Reload' in html
    assert 'src="/static/js/batch.js"' in html
    assert "batch-table" not in html


@pytest.mark.parametrize("url", ["", "status.json", "results.csv"])
def test_an_unknown_or_expired_batch_is_not_found(client: Client, demo: None, url: str) -> None:
    assert client.get(f"/check/batch/{'x' * 22}/{url}").status_code == 404
    batch = Batch.objects.create(total=1)
    Batch.objects.filter(pk=batch.pk).update(expires=batch.created)
    assert client.get(f"/check/batch/{batch.public_id}/{url}").status_code == 404


@pytest.mark.parametrize(
    ("raw", "code_words"),
    [
        (b"", "空"),
        (b"account,mail_from\n" + b"a.e23.jp,a@e23.jp\n" * 6, "5"),
        (b"a.e23.jp,\x81\xff@e23.jp\n", "Shift_JIS"),
        (b"account,mail_from\nonly-one\n", "2"),
        (b"PK\x03\x04\x00binary", "CSV"),
    ],
    ids=["empty", "too-many-rows", "encoding", "no-valid-rows", "binary"],
)
def test_a_refused_file_is_named_under_the_file_field(
    client: Client,
    demo: None,
    immediate: None,
    settings: SettingsWrapper,
    raw: bytes,
    code_words: str,
) -> None:
    settings.BATCH_MAX_ROWS = 5
    response = upload(client, raw)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert code_words in field_error(html)
    assert not Batch.objects.exists()


def test_a_missing_file_is_asked_for(client: Client, demo: None) -> None:
    response = client.post("/en/check/batch/", {})
    assert response.status_code == 400
    assert field_error(response.content.decode()) == "Choose a CSV file to upload."


def test_a_file_over_the_size_limit_is_refused(
    client: Client, demo: None, settings: SettingsWrapper
) -> None:
    settings.BATCH_MAX_BYTES = 100
    response = upload(client, demo_csv(), url="/en/check/batch/")
    assert response.status_code == 400
    assert "larger than 100" in field_error(response.content.decode())


def test_uploads_per_client_are_limited(
    client: Client, demo: None, immediate: None, settings: SettingsWrapper
) -> None:
    settings.BATCH_RATE_LIMIT = "2/h"
    assert upload(client, demo_csv()).status_code == 302
    assert upload(client, demo_csv()).status_code == 302
    refused = upload(client, demo_csv())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Batch.objects.count() == 2


def test_shift_jis_upload_is_checked_and_its_rows_problems_shown(
    client: Client, demo: None, immediate: None
) -> None:
    raw = (
        "アカウント名,メールアドレス\r\n"
        "iij-taro.iijmio-mail.jp,iij-taro@iijmio-mail.jp\r\n"
        "山田 太郎,yamada@e23.jp\r\n"
    ).encode("cp932")
    upload(client, raw, url="/en/check/batch/")
    batch = Batch.objects.get()
    assert (batch.encoding, batch.total, batch.failed) == ("cp932", 2, 1)
    row = batch.rows.get(line=3)
    assert (row.account, row.error_field) == ("山田 太郎", "account")
    html = client.get(f"/en/check/batch/{batch.public_id}/").content.decode()
    assert "Line 3: Account name: Remove the spaces" in html


def test_the_csv_download_decodes_back_to_the_results(
    client: Client, demo: None, immediate: None
) -> None:
    upload(client, demo_csv() + b",nobody@e23.jp\n", url="/en/check/batch/")
    batch = Batch.objects.get()
    response = client.get(f"/en/check/batch/{batch.public_id}/results.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    raw = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(table[0])[:3] == [
        "Line (line)",
        "Account name (account)",
        "Mail address (mail_from)",
    ]
    assert [
        (
            r["Line (line)"],
            r["SPF before the change (spf_before)"],
            r["SPF after the change (spf_after)"],
        )
        for r in table
    ] == [(str(n + 2), case[2], case[3]) for n, case in enumerate(DEMO_CASES)] + [("7", "", "")]
    assert table[1]["Outcome after the change (outcome_after)"] == "at_risk"
    assert table[1]["Account to log in with (fix_account)"] == "iij-jiro.iijmio-mail.jp"
    assert table[5]["Status (status)"] == "error"
    assert table[5]["Problem (error_message)"] == "Account name: This field is empty."


def test_the_csv_download_keeps_uploaded_formulas_as_text(
    client: Client, demo: None, immediate: None
) -> None:
    upload(client, b'=HYPERLINK("http://x.example"),@SUM(A1)\n', url="/en/check/batch/")
    batch = Batch.objects.get()
    response = client.get(f"/en/check/batch/{batch.public_id}/results.csv")
    raw = b"".join(response.streaming_content)  # type: ignore[arg-type]
    (row,) = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1:]

    assert row[1:3] == ['\'=HYPERLINK("http://x.example")', "'@SUM(A1)"]


def test_the_japanese_csv_has_japanese_headers_and_text(
    client: Client, demo: None, immediate: None
) -> None:
    upload(client, demo_csv())
    batch = Batch.objects.get()
    raw = b"".join(client.get(f"/check/batch/{batch.public_id}/results.csv").streaming_content)  # type: ignore[arg-type]
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("行番号 (line),アカウント名 (account)")


def test_prunebatches_deletes_expired_batches_and_their_rows(
    client: Client, demo: None, immediate: None
) -> None:
    from django.core.management import call_command

    upload(client, demo_csv())
    upload(client, demo_csv())
    old, new = Batch.objects.order_by("pk")
    Batch.objects.filter(pk=old.pk).update(expires=old.created)
    call_command("prunebatches", stdout=io.StringIO())
    assert list(Batch.objects.all()) == [new]
    assert BatchRow.objects.filter(batch_id=old.pk).count() == 0
    assert BatchRow.objects.filter(batch=new).count() == 5
