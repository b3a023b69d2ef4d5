"""Saving a result from the page, reading it back, its expiry, the admin and the counts."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client

from mailcheck.results import codes, saving
from mailcheck.results.models import CheckCount, SavedResult

pytestmark = pytest.mark.django_db

SOFTFAIL = {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"}


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def share(client: Client, prefix: str = "", **values: str) -> Any:
    """Open the result page, then press its "save and share" button (with the page's token)."""
    query = "&".join(f"{k}={v}" for k, v in values.items())
    page = client.get(f"{prefix}/check/?{query}").content.decode()
    form = re.search(r'<form class="share-form"[^>]*action="([^"]+)".*?</form>', page, re.S)
    assert form, "no share form on the result page"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    return client.post(form.group(1), fields)


@pytest.mark.parametrize(("prefix", "lang"), [("", "ja"), ("/en", "en")])
def test_saving_from_the_page_redirects_to_the_code_page_in_its_language(
    demo: None, prefix: str, lang: str
) -> None:
    client = csrf_client()

    response = share(client, prefix, **SOFTFAIL)

    assert response.status_code == 303
    location = response["Location"]
    assert re.fullmatch(rf"{prefix}/r/[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{4}}/", location)
    assert "@" not in location and "iij" not in location
    page = client.get(location)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<html lang="{lang}"' in html
    code = location.rstrip("/").rsplit("/", 1)[1]
    assert code in html
    assert "iij-jiro@iijmio-mail.jp" in html
    assert "no-store" in page["Cache-Control"] and page["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in html
    assert 'class="share-form"' not in html


def test_the_saved_page_shows_the_time_of_the_check_in_japan_time(
    client: Client, demo: None
) -> None:
    with time_machine.travel(
        datetime.datetime(2026, 4, 1, 15, 30, tzinfo=datetime.UTC), tick=False
    ):
        location = share(client, **SOFTFAIL)["Location"]
        ja = client.get(location).content.decode()
        en = client.get("/en" + location).content.decode()

    assert "2026年4月2日 0:30" in ja and "2026年5月2日" in ja
    assert "2 April 2026, 00:30" in en and "2 May 2026" in en


def test_both_languages_are_stored_when_saved(client: Client, demo: None) -> None:
    share(client, **SOFTFAIL)

    saved = SavedResult.objects.get()
    assert 'lang="' not in saved.html_ja[:0]  # fragments, not pages
    assert "Result" in saved.html_en and "結果" in saved.html_ja
    assert 'class="share-form"' not in saved.html_ja + saved.html_en
    assert saved.report["after"]["spf"] == "softfail"
    assert saved.mail_from == "iij-jiro@iijmio-mail.jp"


def test_nothing_is_stored_by_a_check_alone(client: Client, demo: None) -> None:
    client.get("/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp")

    assert not SavedResult.objects.exists()


def test_saving_needs_the_csrf_token(demo: None) -> None:
    response = csrf_client().post("/r/", SOFTFAIL)

    assert response.status_code == 403
    assert not SavedResult.objects.exists()


def test_saving_counts_against_the_check_limits(client: Client, demo: None, settings: Any) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    client.get("/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp")

    response = client.post("/r/", SOFTFAIL)

    assert response.status_code == 429
    assert not SavedResult.objects.exists()


def test_the_code_is_read_leniently_in_the_url(client: Client, demo: None) -> None:
    code = share(client, **SOFTFAIL)["Location"].rstrip("/").rsplit("/", 1)[1]

    assert client.get(f"/r/{code.lower().replace('-', '')}/").status_code == 200


def test_an_expired_result_is_the_same_404_as_an_unknown_code(
    client: Client, demo: None, settings: Any
) -> None:
    settings.SAVED_RESULT_DAYS = 30
    start = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        location = share(client, **SOFTFAIL)["Location"]
    code = location.rstrip("/").rsplit("/", 1)[1]

    with time_machine.travel(start + datetime.timedelta(days=29, hours=23), tick=False):
        before = client.get(location)
        api_before = client.get(f"/api/v1/results/{code}")
    with time_machine.travel(start + datetime.timedelta(days=30, seconds=1), tick=False):
        expired = client.get(location)
        unknown = client.get("/r/ZZZZ-ZZZZ/")
        api_expired = client.get(f"/api/v1/results/{code}")
        api_unknown = client.get("/api/v1/results/ZZZZ-ZZZZ")

    assert before.status_code == 200 and api_before.status_code == 200
    assert expired.status_code == unknown.status_code == 404
    assert expired.content.decode().replace(location, "") == unknown.content.decode().replace(
        "/r/ZZZZ-ZZZZ/", ""
    )
    assert "no-store" in expired["Cache-Control"]
    assert api_expired.status_code == api_unknown.status_code == 404
    assert api_expired.content == api_unknown.content


def test_purge_deletes_expired_results_only(client: Client, demo: None) -> None:
    start = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        share(client, **SOFTFAIL)
    with time_machine.travel(start + datetime.timedelta(days=20), tick=False):
        kept = share(client, **SOFTFAIL)["Location"]

    with time_machine.travel(start + datetime.timedelta(days=31), tick=False):
        out = io.StringIO()
        call_command("purgeresults", stdout=out)
        assert client.get(kept).status_code == 200

    assert SavedResult.objects.count() == 1
    assert "deleted 1 expired" in out.getvalue()


def test_the_purge_task_runs_through_the_task_backend(
    client: Client, demo: None, settings: Any
) -> None:
    from mailcheck.results.tasks import purge_results

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    SavedResult.objects.create(
        code="ABCDEFGH",
        account="a",
        mail_from="a@b",
        checked_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        expires=datetime.datetime(2020, 1, 2, tzinfo=datetime.UTC),
        report={},
        html_ja="",
        html_en="",
    )

    result = purge_results.enqueue()

    assert result.return_value == {"deleted": 1, "counted": 0}
    assert not SavedResult.objects.exists()


def test_a_colliding_code_is_drawn_again(client: Client, demo: None) -> None:
    share(client, **SOFTFAIL)
    taken = SavedResult.objects.get().code
    drawn = iter([taken, taken, "ZZZZ2222"])

    with mock.patch.object(codes, "new_code", lambda: next(drawn)):
        location = share(client, **SOFTFAIL)["Location"]

    assert location == "/r/ZZZZ-2222/"


def test_support_finds_a_result_by_its_code_as_read_out(client: Client, demo: None) -> None:
    code = share(client, **SOFTFAIL)["Location"].rstrip("/").rsplit("/", 1)[1]
    other = share(client, account="iij-taro.iijmio-mail.jp", mail_from="iij-taro@iijmio-mail.jp")
    other_code = other["Location"].rstrip("/").rsplit("/", 1)[1]
    staff = User.objects.create_superuser("staff", "staff@example.jp", "pw-for-tests-only")
    client.force_login(staff)

    found = client.get("/admin/results/savedresult/", {"q": code.lower().replace("-", " ")})
    found_html = found.content.decode()
    saved = SavedResult.objects.get(code=codes.canonical(code))
    detail = client.get(f"/admin/results/savedresult/{saved.pk}/change/").content.decode()

    assert found.status_code == 200
    assert code in found_html and other_code not in found_html
    assert "iij-jiro@iijmio-mail.jp" in detail and "&quot;softfail&quot;" in detail
    stored = detail.split('class="saved-report"', 1)[1].split("saved-report__json", 1)[0]
    assert "結果" in stored and "Result" in stored
    assert not any(tag in stored for tag in ("<script", "<form", "<button", "<input"))
    assert 'name="_save"' not in detail


def test_checks_are_counted_by_outcome_without_a_query_and_shown_in_the_admin(
    client: Client, demo: None, django_assert_num_queries: Any
) -> None:
    url = "/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp"
    client.get(url)
    with django_assert_num_queries(0):
        client.get(url)
    client.post(
        "/api/v1/check",
        {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"},
        content_type="application/json",
    )
    staff = User.objects.create_superuser("staff", "staff@example.jp", "pw-for-tests-only")
    client.force_login(staff)

    page = client.get("/admin/results/checkcount/").content.decode()

    rows = {
        (c.source, c.outcome_before, c.outcome_after): c.count for c in CheckCount.objects.all()
    }
    assert rows == {("web", "delivered", "at_risk"): 2, ("api", "delivered", "delivered"): 1}
    assert "<svg" in page and "<rect" in page
    # Moved, not copied: opening the page again adds nothing.
    client.get("/admin/results/checkcount/")
    assert sum(c.count for c in CheckCount.objects.all()) == 3
    assert not any("@" in str(v) for v in CheckCount.objects.values_list())


def test_render_report_is_the_one_place_the_html_is_made(client: Client, demo: None) -> None:
    with mock.patch.object(saving, "render_report", wraps=saving.render_report) as render:
        share(client, **SOFTFAIL)

    assert sorted(call.args[1] for call in render.call_args_list) == ["en", "ja"]


def test_integrity_error_other_than_collision_is_not_hidden(client: Client, demo: None) -> None:
    with (
        mock.patch.object(SavedResult.objects, "create", side_effect=IntegrityError("x")),
        pytest.raises(RuntimeError),
    ):
        client.raise_request_exception = True
        share(client, **SOFTFAIL)
