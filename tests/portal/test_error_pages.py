"""Our own 400, 403, 404, 429, 500 and CSRF failure pages, with DEBUG off, in the URL's
language, with the site's header and the way back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client
from django.urls import path
from django.utils import translation
from django.views.decorators.csrf import csrf_protect

from portal.urls import urlpatterns as site_urlpatterns


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a programming error")


def rate_limited(request: HttpRequest) -> HttpResponse:
    # As the check's rate limit answers.
    seconds = int(request.GET.get("retry_after", "0")) or None
    return render(request, "429.html", {"retry_after": seconds}, status=429)


@csrf_protect
def form(request: HttpRequest) -> HttpResponse:
    return HttpResponse("sent")


urlpatterns = [
    *site_urlpatterns,
    *i18n_patterns(
        path("test-errors/400/", bad_request),
        path("test-errors/403/", forbidden),
        path("test-errors/500/", broken),
        path("test-errors/429/", rate_limited),
        path("test-errors/form/", form),
        prefix_default_language=False,
    ),
]
handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

LANGUAGES = [("", "ja"), ("/en", "en")]


@pytest.fixture(autouse=True)
def production(settings: Any) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def client() -> Client:
    # The 500 page is what the customer sees, not the test's traceback.
    c = Client(raise_request_exception=False)
    return c


def html_lang(html: str) -> str:
    found = re.search(r'<html\b[^>]*\blang="([^"]+)"', html)
    assert found
    return found.group(1)


def heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, flags=re.S)
    assert found
    return found.group(1).strip()


def text(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def assert_site_page(html: str, prefix: str, language: str, title: str) -> None:
    assert html_lang(html) == language
    assert heading(html) == text(language, title)
    # The site's header, navigation and the way on, in the same language.
    assert 'class="site-header"' in html
    assert f'href="{prefix}/"' in html
    assert f'href="{prefix}/check/"' in html
    assert text(language, "Settings check") in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize(("prefix", "language"), LANGUAGES)
def test_a_missing_page_answers_404_in_the_language_of_its_address(
    client: Client, db: None, prefix: str, language: str
) -> None:
    response = client.get(f"{prefix}/no-such-page/", HTTP_ACCEPT_LANGUAGE="en;q=1, ja;q=0.1")
    assert response.status_code == 404
    assert_site_page(response.content.decode(), prefix, language, "Page not found")


def test_a_missing_page_under_the_root_is_japanese_whatever_the_browser_prefers(
    client: Client, db: None
) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(response.content.decode()) == "ja"


@pytest.mark.parametrize(("prefix", "language"), LANGUAGES)
def test_a_bad_request_answers_400_with_the_site_page(
    client: Client, db: None, prefix: str, language: str
) -> None:
    response = client.get(f"{prefix}/test-errors/400/")
    assert response.status_code == 400
    assert_site_page(response.content.decode(), prefix, language, "The request could not be read")


@pytest.mark.parametrize(("prefix", "language"), LANGUAGES)
def test_a_forbidden_page_answers_403_with_the_site_page(
    client: Client, db: None, prefix: str, language: str
) -> None:
    response = client.get(f"{prefix}/test-errors/403/")
    assert response.status_code == 403
    assert_site_page(
        response.content.decode(), prefix, language, "You do not have access to this page"
    )


@pytest.mark.parametrize(("prefix", "language"), LANGUAGES)
def test_a_form_without_its_csrf_token_answers_403_with_the_site_page(
    db: None, prefix: str, language: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{prefix}/test-errors/form/", {"field": "value"})
    assert response.status_code == 403
    assert_site_page(response.content.decode(), prefix, language, "The form could not be sent")


@pytest.mark.parametrize(("prefix", "language"), LANGUAGES)
def test_a_programming_error_answers_500_with_the_site_page_and_no_database(
    client: Client, prefix: str, language: str
) -> None:
    # No db fixture: pytest-django refuses every query, as a database that is down would. The
    # page below is the full one, so rendering it needed no query.
    response = client.get(f"{prefix}/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_site_page(html, prefix, language, "Something went wrong on our side")
    assert "a programming error" not in html


def test_the_500_page_is_japanese_under_the_root_whatever_the_browser_prefers(
    client: Client,
) -> None:
    response = client.get("/test-errors/500/", HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(response.content.decode()) == "ja"


@pytest.mark.parametrize(("prefix", "language"), LANGUAGES)
@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        ("90", "Please wait about 2 minutes and try again."),
        ("600", "Please wait about 10 minutes and try again."),
        ("45", "Please wait 45 seconds and try again."),
        ("0", "Please wait a moment and try again."),
    ],
)
def test_too_many_requests_answers_429_with_the_wait(
    client: Client, db: None, prefix: str, language: str, retry_after: str, wait: str
) -> None:
    response = client.get(f"{prefix}/test-errors/429/", {"retry_after": retry_after})
    assert response.status_code == 429
    html = response.content.decode()
    assert_site_page(html, prefix, language, "Too many checks in a short time")
    count = re.search(r"\d+", wait)
    if count:
        assert count.group(0) in html
    else:
        assert text(language, wait) in html


@pytest.mark.parametrize(
    ("path", "status", "japanese", "english"),
    [
        (
            "/test-errors/400/",
            400,
            "リクエストを読み取れませんでした",
            "The request could not be read",
        ),
        (
            "/test-errors/403/",
            403,
            "このページを表示する権限がありません",
            "You do not have access",
        ),
        ("/no-such-page/", 404, "ページが見つかりません", "Page not found"),
        ("/test-errors/429/?retry_after=120", 429, "約2分お待ちいただいて", "Please wait about"),
        ("/test-errors/500/", 500, "当サイトで問題が発生しました", "Something went wrong"),
    ],
)
def test_the_japanese_error_pages_are_written_in_japanese(
    client: Client, path: str, status: int, japanese: str, english: str
) -> None:
    # Literal Japanese: a string missing from the catalogue falls back to English, which a test
    # that builds its expectation with gettext would not notice.
    response = client.get(path)
    assert response.status_code == status
    html = " ".join(response.content.decode().split())
    assert japanese in html
    assert english not in html
