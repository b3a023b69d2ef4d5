"""Values every page needs: the switch to the other language, keeping the page and its query."""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


@functools.lru_cache(maxsize=1024)
def _translated_path(path: str, code: str, urlconf: str) -> str:
    # translate_url resolves the path and reverses it again: the dearest part of a small page.
    # The answer depends only on the path and the URLconf (a check's address is in the query
    # string, never in the key); the size bound keeps made-up 404 paths from growing it.
    return translate_url(path, code)


def site(request: HttpRequest) -> dict[str, object]:
    current = get_language() or settings.LANGUAGE_CODE
    query = request.META.get("QUERY_STRING", "")
    alternates = []
    for code, _name in settings.LANGUAGES:
        url = _translated_path(request.path, code, str(settings.ROOT_URLCONF))
        if query:
            url = f"{url}?{query}"
        alternates.append({"code": code, "url": url, "current": code == current})
    return {"language_alternates": alternates}
