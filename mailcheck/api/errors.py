"""What every API route answers beside its data: the language of its messages and the one error
shape, ``{"errors": [{"field", "code", "message"}]}`` (mailcheck.api.schemas.Errors)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation


def language(request: HttpRequest) -> str:
    """The API's URLs carry no language: Accept-Language chooses, Japanese by default."""
    return translation.get_language_from_request(request, check_path=False)


def error_body(field: str, code: str, message: str) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"field": field, "code": code, "message": message}]}
