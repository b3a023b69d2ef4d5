"""The JSON API, /api/v1/: a check, a saved result, and the documentation.

Built with django-ninja, so the OpenAPI document (/api/v1/openapi.json) comes from the same
types that validate the requests and answers (mailcheck/api/schemas.py). Every error has the
command line's ``--json`` shape, ``{"errors": [{"field", "code", "message"}]}``: ninja's own
422 answers are replaced (see the exception handlers below). Messages are in Japanese, or in
English with ``Accept-Language: en``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from mailcheck.api.errors import language
from mailcheck.api.limits import api_admitted
from mailcheck.api.models import ApiToken
from mailcheck.api.schemas import CheckAnswer, CheckRequest, Errors, SavedResultAnswer
from mailcheck.batch.api import router as batch_router
from mailcheck.check import Rejected
from mailcheck.inbound.api import router as test_mail_router
from mailcheck.presenters import problem_messages, report_json
from mailcheck.ratelimit import Refused, target_domains
from mailcheck.results.counting import count_check
from mailcheck.results.models import SavedResult
from mailcheck.results.saving import save_result
from mailcheck.services import (
    ServiceNotConfigured,
    check_as_configured,
    current_resolver,
    current_service,
)

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Checks a mail program's settings the way the check page does: which server the mail leaves
through, and what the recipient's SPF check and the visible From domain's DMARC policy make of
it, before and after the service's policy change.

Without a token a client has the check page's limits (per client address and per checked
domain). The service's own systems send `Authorization: Bearer <token>` with a token from the
admin for a limit of their own. Past a limit the answer is 429 (or 503 when the server is busy)
with `Retry-After`. Errors are `{"errors": [{"field", "code", "message"}]}`.
"""


class _Anonymous:
    """request.auth of a request without a token (truthy, so ninja lets it through)."""


ANONYMOUS = _Anonymous()


class OptionalBearer(HttpBearer):
    """A token is optional; a wrong one is refused (401) rather than ignored, so a system whose
    token was revoked finds out at once instead of meeting the anonymous limits later."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" not in request.headers:
            return ANONYMOUS
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return ApiToken.objects.authenticate(token.strip())


api = NinjaAPI(
    title="Mail settings self-check API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # a server-rendered page instead (api_docs below), for the site's CSP
    openapi_url="/openapi.json",
)
api.add_router("/batches", batch_router)
api.add_router("/test-mails", test_mail_router)


def errors(request: HttpRequest, status: int, *items: dict[str, str]) -> HttpResponse:
    response = api.create_response(request, {"errors": list(items)}, status=status)
    add_never_cache_headers(response)
    return response


# What pydantic calls a problem → the codes of the command line's --json errors.
_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "json_invalid": "malformed_json",
}


@api.exception_handler(ValidationError)
def validation_failed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Wrong types, missing or unknown keys, a body that is not an object: 400, named field."""
    with translation.override(language(request)):
        items = []
        for error in exc.errors:
            # loc is ("body", "payload", field, …); the body itself when it is not an object.
            path = [str(part) for part in error.get("loc", ())[2:]]
            field = ".".join(path) or "body"
            code = _CODES.get(error.get("type", ""), "wrong_type")
            if code == "required":
                message = gettext("%(field)s is required.") % {"field": field}
            elif code == "unknown_field":
                message = gettext(
                    "%(field)s is not a field of this request: send account, mail_from, and "
                    "optionally header_from and save."
                ) % {"field": field}
            elif code == "too_long":
                message = gettext("%(field)s is too long.") % {"field": field}
            elif field == "body":
                message = gettext("The body must be a JSON object.")
            elif field == "save":
                message = gettext("save must be true or false.")
            else:
                message = gettext("%(field)s must be a string.") % {"field": field}
            items.append({"field": field, "code": code, "message": message})
    return errors(request, 400, *items)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    with translation.override(language(request)):
        message = gettext(
            "The token is not valid: send Authorization: Bearer with an active token from the "
            "admin, or no Authorization header at all."
        )
    response = errors(
        request, 401, {"field": "authorization", "code": "invalid_token", "message": message}
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals: above all a body that is not JSON."""
    with translation.override(language(request)):
        if exc.status_code == 400:
            item = {
                "field": "body",
                "code": "malformed_json",
                "message": gettext(
                    "The body is not valid JSON. Send a JSON object with Content-Type: "
                    "application/json."
                ),
            }
        else:
            item = {"field": "request", "code": f"http_{exc.status_code}", "message": str(exc)}
    return errors(request, exc.status_code, item)


def _refused(request: HttpRequest, refused: Refused) -> HttpResponse:
    with translation.override(language(request)):
        if refused.status == 429:
            message = gettext("Too many checks: try again in %(seconds)d seconds.")
        else:
            message = gettext("The service is busy: try again in %(seconds)d seconds.")
    response = errors(
        request,
        refused.status,
        {
            "field": "request",
            "code": "rate_limited" if refused.status == 429 else "busy",
            "message": message % {"seconds": refused.retry_after},
        },
    )
    response["Retry-After"] = str(refused.retry_after)
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    with translation.override(language(request)):
        message = gettext("The check is not available at the moment. Please try again later.")
    return errors(request, 503, {"field": "request", "code": "unavailable", "message": message})


@api.post(
    "/check",
    response={
        200: CheckAnswer,
        400: Errors,
        401: Errors,
        429: Errors,
        503: Errors,
    },
    auth=OptionalBearer(),
    # The token is optional: the empty requirement says a request without one is accepted.
    openapi_extra={"security": [{}, {"OptionalBearer": []}]},
    exclude_unset=True,
    summary="Check an account name and mail address",
    tags=["check"],
)
def check(request: HttpRequest, payload: CheckRequest) -> Any:
    """The same check and the same document as `manage.py mailcheck --json`."""
    token = request.auth if isinstance(request.auth, ApiToken) else None  # type: ignore[attr-defined]
    try:
        service = current_service()
    except ServiceNotConfigured:
        return _unavailable(request)
    resolver = current_resolver()
    started = time.perf_counter()
    domains = target_domains(payload.account, payload.mail_from, payload.header_from, service)
    with translation.override(language(request)):
        try:
            with api_admitted(request, token, domains, service, live_dns=resolver.source == "live"):
                outcome = check_as_configured(
                    payload.account, payload.mail_from, service, resolver, payload.header_from
                )
        except Refused as refused:
            return _refused(request, refused)
        if isinstance(outcome, Rejected):
            items = [
                {
                    "field": message.field,
                    "code": message.code,
                    "message": message.text,
                    **({"suggestion": problem.suggestion} if problem.suggestion else {}),
                }
                for message, problem in zip(
                    problem_messages(outcome, service.domains), outcome.problems, strict=True
                )
            ]
            return errors(request, 400, *items)
        count_check(outcome, source="api")
        logger.info(
            "api check %s/%s in %.0f ms",
            outcome.before.result.value,
            outcome.after.result.value,
            (time.perf_counter() - started) * 1000,
            extra={"token": token.pk if token else None},
        )
        data = report_json(outcome)
        if payload.save:
            saved = save_result(
                outcome,
                account=payload.account,
                mail_from=payload.mail_from,
                header_from=payload.header_from,
                source="api",
            )
            data["code"] = saved.display_code
            data["url"] = request.build_absolute_uri(saved.get_absolute_url())
    # Sent as built: CheckAnswer describes it in the OpenAPI document, and the tests validate
    # answers against that document; validating each answer again here would cost more than
    # the check itself.
    return api.create_response(request, data, status=200)


@api.get(
    "/results/{code}",
    response={200: SavedResultAnswer, 404: Errors},
    summary="A saved result, by its code",
    tags=["results"],
)
def saved_result(request: HttpRequest, code: str) -> Any:
    """The result saved under `code` (as a customer reads it out: case, dashes and spaces do
    not matter). An expired code and one that never existed get the same 404."""
    found = SavedResult.objects.kept().by_code(code).first()
    with translation.override(language(request)):
        if found is None:
            message = gettext("No saved result has this code; results are kept for a limited time.")
            return errors(request, 404, {"field": "code", "code": "not_found", "message": message})
        url = request.build_absolute_uri(found.get_absolute_url())
    return {
        **found.report,
        "code": found.display_code,
        "url": url,
        "checked_at": timezone.localtime(found.checked_at).isoformat(),
        "expires": timezone.localtime(found.expires).isoformat(),
    }


@api.get("/docs", include_in_schema=False)
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's documentation, rendered on the server from the OpenAPI document: ninja's
    Swagger page needs scripts and inline styles that the site's CSP does not allow."""
    with translation.override(language(request)):
        return render(request, "mailcheck/api/docs.html", {"doc": docs_context()})


def docs_context() -> dict[str, Any]:
    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "request": _request_schema(operation),
                    "responses": [
                        {
                            "status": status,
                            "description": answer.get("description", ""),
                            "schema": _ref_name(
                                answer.get("content", {})
                                .get("application/json", {})
                                .get("schema", {})
                            ),
                        }
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    components = schema.get("components", {}).get("schemas", {})
    return {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "description": schema["info"].get("description", ""),
        "operations": operations,
        "schemas": [
            {
                "name": name,
                "description": body.get("description", ""),
                "fields": _fields(body),
                "values": body.get("enum", []),
            }
            for name, body in components.items()
        ],
    }


def _request_schema(operation: dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return _ref_name(content.get("schema", {}))


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return str(ref.rsplit("/", 1)[-1]) if ref else ""


def _type_text(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return _ref_name(prop)
    if "enum" in prop:
        return " | ".join(f'"{value}"' for value in prop["enum"])
    if "anyOf" in prop:
        return " | ".join(_type_text(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_type_text(prop.get('items', {}))}"
    if prop.get("type") == "object" and "additionalProperties" in prop:
        return f"object of {_type_text(prop['additionalProperties'])}"
    return str(prop.get("type", "any"))


def _fields(body: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(body.get("required", []))
    return [
        {
            "name": name,
            "type": _type_text(prop),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in body.get("properties", {}).items()
    ]
