"""Bodies are Markdown turned into HTML that cannot run script on a customer's page."""

from collections.abc import Callable

import pytest
from django.test import Client

from portal.markdown import render_markdown, render_markdown_report
from portal.models import FaqEntry, Notice


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "before <SCRIPT src=https://evil.example/x.js></SCRIPT> after",
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_it_strips_script_tags(text: str) -> None:
    html = render_markdown(text)
    assert "<script" not in html.lower()
    assert "alert(1)" not in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<a href=" javascript:alert(1)">click</a>',
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
    ],
)
def test_it_removes_links_that_run_code(text: str) -> None:
    html = render_markdown(text)
    assert "href" not in html
    assert "click" in html


@pytest.mark.parametrize(
    "text",
    [
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">text</p>',
        '<a href="https://example.jp/" onmouseover="alert(1)">x</a>',
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_it_strips_event_handlers_and_styles(text: str) -> None:
    html = render_markdown(text)
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "style" not in html
    assert "alert" not in html


def test_it_strips_iframes_and_forms() -> None:
    html = render_markdown('<iframe src="https://evil.example/"></iframe><form><input></form>')
    assert "<iframe" not in html
    assert "<form" not in html
    assert "<input" not in html


def test_it_keeps_ordinary_markdown() -> None:
    html = render_markdown(
        "# 変更の内容\n\n**重要**: [セルフチェック](/check/) と "
        "[mail](mailto:support@example.jp)\n\n- 一\n- 二\n\n| a | b |\n|---|---|\n| `1` | 2 |"
    )
    assert "<h2>変更の内容</h2>" in html
    assert "<strong>重要</strong>" in html
    assert '<a href="/check/" rel="noopener noreferrer">セルフチェック</a>' in html
    assert 'href="mailto:support@example.jp"' in html
    assert "<li>一</li>" in html
    assert "<table>" in html
    assert "<code>1</code>" in html


def test_links_to_other_sites_do_not_get_the_opener() -> None:
    html = render_markdown("[x](https://example.jp/)")
    assert 'rel="noopener noreferrer"' in html


# --- rendered once, on save --------------------------------------------------------------------


def forbid_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, rendering Markdown fails: pages must show what save() stored."""

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("Markdown rendered while showing a page")

    monkeypatch.setattr("portal.markdown.markdown_lib.markdown", refuse)


def test_pages_show_the_html_stored_on_save(
    client: Client,
    make_faq: Callable[..., FaqEntry],
    make_notice: Callable[..., Notice],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_faq(slug="stored", answer_ja="**保存済み**", answer_en="**Stored**")
    make_notice(slug="stored-notice", body_ja="**お知らせ本文**")
    forbid_markdown(monkeypatch)

    assert "<strong>保存済み</strong>" in client.get("/faq/").content.decode()
    assert "<strong>Stored</strong>" in client.get("/en/faq/stored/").content.decode()
    notice_page = client.get("/notices/stored-notice/").content.decode()
    assert "<strong>お知らせ本文</strong>" in notice_page


def test_saving_stores_the_sanitised_html_of_both_languages(
    make_faq: Callable[..., FaqEntry], make_notice: Callable[..., Notice]
) -> None:
    entry = make_faq(answer_ja="**太字**<script>x()</script>", answer_en="[a](javascript:x)")
    notice = make_notice(body_ja="- 一つ", body_en="<img src=x onerror=alert(1)>text")

    assert entry.answer_ja_html == "<p><strong>太字</strong></p>"
    assert "javascript" not in entry.answer_en_html
    assert notice.body_ja_html == "<ul>\n<li>一つ</li>\n</ul>"
    assert "onerror" not in notice.body_en_html and "text" in notice.body_en_html


def test_an_edit_stores_the_new_html(make_notice: Callable[..., Notice]) -> None:
    notice = make_notice(body_ja="古い")
    notice.body_ja = "**新しい**"
    notice.save(update_fields=["body_ja"])
    notice.refresh_from_db()
    assert notice.body_ja_html == "<p><strong>新しい</strong></p>"
    assert notice.history.first().body_ja_html == "<p><strong>新しい</strong></p>"


# --- headings and what the sanitiser removed ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("# 変更の内容", "<h2>変更の内容</h2>"),
        ("## 実施日", "<h3>実施日</h3>"),
        ("### 詳細", "<h4>詳細</h4>"),
        ("##### 五", "<h6>五</h6>"),
        ("###### 六", "<h6>六</h6>"),
        ("変更の内容\n=====", "<h2>変更の内容</h2>"),
    ],
)
def test_markdown_headings_start_below_the_page_title(text: str, html: str) -> None:
    # The page's title is its h1, so the first Markdown level is h2, never a bare paragraph.
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    ("text", "removed"),
    [
        ("[click](javascript:alert(1))", ["javascript:alert(1)"]),
        ("before <script>alert(1)</script> after", ["<script>"]),
        ('<img src="x" onerror="alert(1)">text', ["<img>"]),
        ('<p onclick="alert(1)">text</p>', ['onclick="…" (<p>)']),
        ("<iframe src=https://evil.example/></iframe>", ["<iframe>"]),
    ],
)
def test_the_report_lists_what_the_sanitiser_removed(text: str, removed: list[str]) -> None:
    assert [str(r) for r in render_markdown_report(text).removed] == removed


def test_ordinary_markdown_reports_nothing_removed() -> None:
    report = render_markdown_report(
        "# 見出し\n\n**太字** [リンク](/check/) [外部](https://example.jp/?a=1&b=2) "
        "[mail](mailto:support@example.jp)\n\n- 一\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "<!-- メモ -->"
    )
    assert report.removed == ()
    assert "<h2>見出し</h2>" in report.html and 'href="/check/"' in report.html
