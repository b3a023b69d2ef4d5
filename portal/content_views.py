"""Public pages for notices and the FAQ.

The public sees only published content; anything else is a 404. Staff who may view the content
in the admin see unpublished items too, with a banner saying the page is a preview.
"""

from __future__ import annotations

import unicodedata

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from portal.models import FaqCategory, FaqEntry, Notice

NOTICES_PER_PAGE = 10
MAX_QUERY_LENGTH = 100


def can_preview(request: HttpRequest, model: type[Notice] | type[FaqEntry]) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff) and user.has_perm(
        f"portal.view_{model._meta.model_name}"
    )


def notice_list(request: HttpRequest) -> HttpResponse:
    notices = Notice.objects.published()
    category = request.GET.get("category", "")
    if category not in Notice.Category.values:
        category = ""  # An unknown category shows every notice rather than an error.
    if category:
        notices = notices.filter(category=category)
    page = Paginator(notices, NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/notice_list.html",
        {"page": page, "categories": Notice.Category.choices, "category": category},
    )


def notice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    notice = get_object_or_404(Notice, slug=slug)
    if not notice.is_public() and not can_preview(request, Notice):
        raise Http404
    return render(request, "portal/notice_detail.html", notice_context(notice))


def notice_context(notice: Notice) -> dict[str, object]:
    return {
        "notice": notice,
        "preview": not notice.is_public(),
        "faq_entries": notice.faq_entries.published().select_related("category"),
    }


def normalise_query(text: str) -> str:
    """NFKC folds full-width Latin letters and digits and half-width katakana, so ＳＰＦ finds
    SPF and ｿﾌﾄ finds ソフト. Control characters go: PostgreSQL refuses NUL in a string."""
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in folded)
    return " ".join(visible.split())[:MAX_QUERY_LENGTH]


def search_entries(query: str) -> list[FaqEntry]:
    return list(FaqEntry.objects.published().search(query).select_related("category"))


def faq(request: HttpRequest) -> HttpResponse:
    query = normalise_query(request.GET.get("q", ""))
    categories = FaqCategory.objects.prefetch_related(
        Prefetch("entries", queryset=FaqEntry.objects.published(), to_attr="published_entries")
    )
    context: dict[str, object] = {
        "query": query,
        "categories": [c for c in categories if c.published_entries],
    }
    if query:
        context["results"] = search_entries(query)
    return render(request, "portal/faq.html", context)


def faq_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(FaqEntry.objects.select_related("category"), slug=slug)
    if not entry.is_published and not can_preview(request, FaqEntry):
        raise Http404
    return render(request, "portal/faq_detail.html", faq_entry_context(entry))


def faq_entry_context(entry: FaqEntry) -> dict[str, object]:
    return {
        "entry": entry,
        "preview": not entry.is_published,
        "notices": entry.related_notices.published(),
    }


def site_map(request: HttpRequest) -> HttpResponse:
    categories = FaqCategory.objects.prefetch_related(
        Prefetch("entries", queryset=FaqEntry.objects.published(), to_attr="published_entries")
    )
    return render(
        request,
        "portal/site_map.html",
        {
            "notice_categories": Notice.Category.choices,
            "faq_categories": [c for c in categories if c.published_entries],
        },
    )
