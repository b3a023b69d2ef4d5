"""Bodies are Markdown turned into HTML that cannot run script on a customer's page."""

import pytest

from portal.markdown import render_markdown


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
        "## 変更の内容\n\n**重要**: [セルフチェック](/check/) と "
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
