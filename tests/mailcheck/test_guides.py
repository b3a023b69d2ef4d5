"""The guides to where the account name and the mail address go, by their public URLs."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from mailcheck.guides import GUIDES

pytestmark = pytest.mark.django_db

LANGUAGES = [("", "ja"), ("/en", "en")]
SLUGS = [guide.slug for guide in GUIDES]


@pytest.fixture
def demo(settings: object) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"  # type: ignore[attr-defined]
    call_command("loaddemo", "--no-admin")


def page(client: Client, url: str) -> tuple[int, str, object]:
    response = client.get(url)
    return response.status_code, response.content.decode("utf-8"), response


def unescaped(html: str) -> str:
    return html_lib.unescape(html)


def test_every_program_of_the_brief_has_a_guide() -> None:
    assert SLUGS == [
        "outlook",
        "outlook-classic",
        "thunderbird",
        "apple-mail",
        "iphone",
        "gmail-android",
    ]


@pytest.mark.parametrize(("prefix", "lang"), LANGUAGES)
def test_the_index_lists_every_guide_in_its_language(
    client: Client, demo: None, prefix: str, lang: str
) -> None:
    status, html, _ = page(client, f"{prefix}/check/guides/")

    assert status == 200
    assert f'<html lang="{lang}">' in html
    with translation.override(lang):
        for guide in GUIDES:
            assert f'href="{prefix}/check/guides/{guide.slug}/"' in html
            assert str(guide.name) in unescaped(html)


@pytest.mark.parametrize(("prefix", "lang"), LANGUAGES)
@pytest.mark.parametrize("slug", SLUGS)
def test_each_guide_shows_its_steps_and_its_diagram(
    client: Client, demo: None, prefix: str, lang: str, slug: str
) -> None:
    guide = next(g for g in GUIDES if g.slug == slug)

    status, html, response = page(client, f"{prefix}/check/guides/{slug}/")

    assert status == 200
    assert f'<html lang="{lang}">' in html
    text = unescaped(html)
    with translation.override(lang):
        for step in (*guide.account_steps, *guide.address_steps):
            assert f"<li>{step}</li>" in text
        assert f'alt="{guide.diagram_alt}"' in text
    assert re.search(rf'<img src="/static/{re.escape(guide.diagram)}"', html)
    # Without values from a result the page may be cached and indexed like any other.
    assert "noindex" not in html
    assert "no-store" not in response.get("Cache-Control", "")  # type: ignore[attr-defined]


def test_an_unknown_program_is_not_found(client: Client, demo: None) -> None:
    assert client.get("/check/guides/outlook-express/").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_every_diagram_is_an_svg_with_a_title_and_a_description(slug: str) -> None:
    guide = next(g for g in GUIDES if g.slug == slug)
    with open(f"static/{guide.diagram}", encoding="utf-8") as svg:
        drawing = svg.read()
    assert drawing.startswith("<svg ")
    assert 'role="img"' in drawing
    assert re.search(r"<title id=\"title\">[^<]+</title>", drawing)
    assert re.search(r"<desc id=\"desc\">[^<]+</desc>", drawing)


@pytest.mark.parametrize(
    "url", ["/check/guides/thunderbird/", "/en/check/guides/", "/en/check/guides/iphone/"]
)
def test_the_submission_server_of_the_configuration_appears(
    client: Client, demo: None, url: str
) -> None:
    _, html, _ = page(client, url)

    assert "<code>mbox.iijmio-mail.jp</code>" in html
    assert "<code>587</code>" in html


def test_a_changed_submission_server_shows_on_the_next_request(client: Client, demo: None) -> None:
    from mailcheck import models

    models.Service.objects.filter(is_active=True).update(submission_host="smtp.example.net")
    service = models.Service.objects.get(is_active=True)
    service.save()  # as the admin does: a save renews the cached configuration

    _, html, _ = page(client, "/en/check/guides/thunderbird/")

    assert "<code>smtp.example.net</code>" in html


def test_a_warm_guide_page_reads_no_row(client: Client, demo: None) -> None:
    client.get("/en/check/guides/apple-mail/")

    with CaptureQueriesContext(connection) as queries:
        status, _, _ = page(client, "/en/check/guides/apple-mail/")

    assert status == 200
    assert [q["sql"] for q in queries.captured_queries] == []


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_values_from_a_result_are_shown_with_copy_buttons(
    client: Client, demo: None, prefix: str
) -> None:
    status, html, _ = page(
        client,
        f"{prefix}/check/guides/thunderbird/"
        "?account=iij-jiro.iijmio-mail.jp&mail_from=iij-jiro%40iijmio-mail.jp",
    )

    assert status == 200
    assert '<code class="copy-value" id="guide-account">iij-jiro.iijmio-mail.jp</code>' in html
    assert '<code class="copy-value" id="guide-mail">iij-jiro@iijmio-mail.jp</code>' in html
    assert 'data-copy="guide-account"' in html
    assert 'data-copy="guide-mail"' in html
    assert 'src="/static/js/check.js"' in html
    # The other guides and the check keep the values, and nothing else from the query.
    assert (
        f'href="{prefix}/check/guides/iphone/'
        '?account=iij-jiro.iijmio-mail.jp&amp;mail_from=iij-jiro%40iijmio-mail.jp"'
    ) in html


@pytest.mark.parametrize("url", ["/check/guides/", "/en/check/guides/outlook-classic/"])
def test_values_with_markup_are_shown_escaped(client: Client, demo: None, url: str) -> None:
    attack = '<script>alert("x")</script>'

    _, html, _ = page(client, f"{url}?account={attack}&mail_from=a%22%3E%3Cimg%20src=x%3E@b.jp")

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '"><img src=x>' not in html
    assert "a&quot;&gt;&lt;img src=x&gt;@b.jp" in html


def test_pages_with_values_are_neither_stored_nor_indexed(client: Client, demo: None) -> None:
    for url in [
        "/check/guides/?account=iij-taro.iijmio-mail.jp",
        "/en/check/guides/gmail-android/?mail_from=iij-taro%40iijmio-mail.jp",
    ]:
        _, html, response = page(client, url)

        assert "no-store" in response["Cache-Control"]  # type: ignore[index]
        assert response["X-Robots-Tag"] == "noindex"  # type: ignore[index]
        assert '<meta name="robots" content="noindex">' in html


def test_an_over_long_value_is_not_shown(client: Client, demo: None) -> None:
    _, html, _ = page(client, f"/en/check/guides/iphone/?account={'a' * 400}")

    main = html.split('<main id="main"', 1)[1]
    assert "a" * 400 not in main
    assert 'id="guide-account"' not in main


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_each_fix_of_a_result_links_to_the_guides_with_its_values(
    client: Client, demo: None, prefix: str
) -> None:
    _, html, _ = page(
        client,
        f"{prefix}/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro%40iijmio-mail.jp",
    )

    fixes = re.findall(r'<li class="fix fix--[^"]+">.*?</li>', html, flags=re.S)
    assert len(fixes) == 2
    assert (
        f'href="{prefix}/check/guides/?account=iij-jiro.iijmio-mail.jp&amp;mail_from=iij-jiro%40iijmio-mail.jp"'
        in fixes[0]
    )
    assert (
        f'href="{prefix}/check/guides/?account=iij-taro.iijmio-mail.jp&amp;mail_from=iij-taro%40iijmio-mail.jp"'
        in fixes[1]
    )


def test_a_fix_for_another_provider_links_to_the_guides_without_values(
    client: Client, demo: None
) -> None:
    _, html, _ = page(
        client, "/en/check/?account=iiij-taro.iijmio-mail.jp&mail_from=example%40example.jp"
    )

    own_provider = re.findall(r'<li class="fix fix--use_own_provider">.*?</li>', html, flags=re.S)
    assert len(own_provider) == 1
    assert 'href="/en/check/guides/"' in own_provider[0]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_where_do_i_find_these_settings_links_to_every_guide(
    client: Client, demo: None, prefix: str
) -> None:
    _, html, _ = page(client, f"{prefix}/check/")

    help_part = re.search(r'<details class="where-help">.*?</details>', html, flags=re.S)
    assert help_part
    for slug in SLUGS:
        assert f'href="{prefix}/check/guides/{slug}/"' in help_part.group(0)
    assert f'href="{prefix}/check/guides/"' in help_part.group(0)
