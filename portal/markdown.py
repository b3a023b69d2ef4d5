"""Markdown written by support staff, turned into HTML that is safe to show to customers.

Python-Markdown renders; nh3 (the Rust ``ammonia`` sanitiser) then keeps only an allowlist of
tags, attributes and URL schemes. So neither a slip nor a compromised staff account can put
script, event handlers or ``javascript:`` links on a customer's page. What the sanitiser took
out is reported back (``render_markdown_report``) so that the writer learns why a link went dead.

Headings start at h2: the page's own title is its h1, so Markdown's ``#`` is the first level
below it, ``##`` the next, down to h6 (``HeadingLevels``). Without the shift, ``#`` made an h1
that the sanitiser dropped, leaving the heading as a plain paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "small",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
# Only links a browser follows without running code; relative links stay allowed.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Attributes that hold an address, rewritten by absolute_links().
URL_ATTRIBUTES = {"href", "src"}
HEADING_BASE_LEVEL = 2


class HeadingShift(Treeprocessor):
    def run(self, root: Any) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                level = int(element.tag[1]) + HEADING_BASE_LEVEL - 1
                element.tag = f"h{min(level, 6)}"


class HeadingLevels(Extension):
    """``#`` becomes h2, ``##`` h3 … (h6 at most). Python-Markdown's toc extension has the
    same ``baselevel`` setting, but it also gives each heading an id, which the sanitiser would
    then report as removed on every heading."""

    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:
        md.treeprocessors.register(HeadingShift(md), "heading_levels", 5)


def extensions() -> list[str | Extension]:
    return ["tables", "fenced_code", "sane_lists", "def_list", "abbr", HeadingLevels()]


@dataclass(frozen=True)
class Removal:
    """One thing the sanitiser took out: a tag (``script``), an attribute (``onclick`` on
    ``img``) or an address that is not allowed (``javascript:alert(1)`` in ``href``)."""

    tag: str
    attribute: str = ""
    value: str = ""

    def __str__(self) -> str:
        if self.attribute in URL_ATTRIBUTES and self.value:
            return self.value
        if self.attribute:
            return f'{self.attribute}="…" (<{self.tag}>)'
        return f"<{self.tag}>"


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    removed: tuple[Removal, ...]


class ElementCounter(HTMLParser):
    """Lists the tags and attributes of an HTML fragment in document order, with the values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, str, str]] = []  # (tag, "", "") or (tag, name, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, "", ""))
        self.elements += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


def elements_of(html: str) -> list[tuple[str, str, str]]:
    counter = ElementCounter()
    counter.feed(html)
    counter.close()
    return counter.elements


def sanitise(html: str, attribute_filter: Callable[[str, str, str], str] | None = None) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def removals(before: str, after: str) -> tuple[Removal, ...]:
    """What nh3 removed, found by comparing the elements before and after it ran. nh3 alone
    decides; this only counts, so the report cannot disagree with what the page shows."""
    raw = elements_of(before)
    kept = Counter(elements_of(after))
    kept_tags = {tag for tag, _name, _value in kept}
    found: list[Removal] = []
    for tag, name, value in raw:
        if kept[(tag, name, value)] > 0:
            kept[(tag, name, value)] -= 1
        elif not name:
            found.append(Removal(tag))
        elif tag not in kept_tags:
            continue  # The whole tag went; it is reported once, as a tag.
        elif name in URL_ATTRIBUTES:
            found.append(Removal(tag, name, value.strip()))
        else:
            found.append(Removal(tag, name))
    return tuple(dict.fromkeys(found))  # Each distinct removal once, in order of appearance.


def to_html(text: str) -> str:
    return markdown_lib.markdown(text, extensions=extensions(), output_format="html")


def render_markdown_report(text: str) -> Rendered:
    html = to_html(text)
    cleaned = sanitise(html)
    return Rendered(html=mark_safe(cleaned), removed=removals(html, cleaned))  # noqa: S308 (nh3)


def render_markdown(text: str) -> SafeString:
    return mark_safe(sanitise(to_html(text)))  # noqa: S308 (sanitised by nh3 just above)


def absolute_links(html: str, base_url: str) -> str:
    """The stored HTML with every relative address made absolute against base_url, for readers
    that show it away from the site (a feed reader). Passed through the same allowlist again,
    so the result is as safe as the stored HTML; nh3 calls the filter for each kept attribute."""

    def rewrite(tag: str, attribute: str, value: str) -> str:
        if attribute in URL_ATTRIBUTES:
            return urljoin(base_url, value)
        return value

    return sanitise(html, attribute_filter=rewrite)
