"""A business customer uploads a list, watches the progress bar reach the end, reads the table.

The upload's task waits in the database (the database backend, as `make run` has it); the test
plays the worker's part, running the task while the page polls the status endpoint."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mailcheck.batch.models import Batch
from mailcheck.batch.tasks import check_batch
from tests.browser.pages import text, url

pytestmark = pytest.mark.browser

ROWS = 250


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_upload_shows_progress_then_the_results_table(
    page: Page, lang: str, settings: Any, tmp_path: Path
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.BATCH_RATE_LIMIT = ""
    cases = [
        ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp"),
        ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"),
    ]
    lines = ["アカウント名,メールアドレス"] + [
        f"{cases[n % 2][0]},{cases[n % 2][1]}" for n in range(ROWS)
    ]
    lines.insert(3, "one-column-only")
    upload = tmp_path / "mailboxes.csv"
    upload.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))

    page.goto(url(lang, "/check/batch/"))
    page.get_by_label(text(lang, "CSV file"), exact=True).set_input_files(upload)
    page.get_by_role("button", name=text(lang, "Upload and check"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"{url(lang, '/check/batch/')}[A-Za-z0-9_-]{{22}}/$"))

    bar = page.locator("progress#batch-progress-bar")
    expect(bar).to_have_attribute("max", str(ROWS + 1))
    expect(bar).to_have_attribute("value", "1")  # the malformed line is done at upload
    expect(page.locator(".batch-table")).to_have_count(0)

    batch = Batch.objects.get()
    check_batch.call(batch.pk)  # the worker's part; the page notices by polling

    expect(page.locator(".batch-table table")).to_be_visible(timeout=20_000)
    expect(bar).to_have_attribute("value", str(ROWS + 1))
    expect(page.locator("[data-batch-status-text]")).to_have_text(text(lang, "Done"))
    rows = page.locator(".batch-table tbody tr")
    expect(rows).to_have_count(ROWS + 1)
    expect(rows.nth(1).locator("td").first).to_have_text("3")
    expect(rows.nth(1).locator(".badge").nth(1)).to_have_text(text(lang, "May go to junk"))
    expect(page.locator(".batch-errors li")).to_have_count(1)
    expect(page.locator(".batch-errors li")).to_contain_text("4")
    download = page.get_by_role("link", name=text(lang, "Download the results (CSV)"))
    expect(download).to_be_visible()
