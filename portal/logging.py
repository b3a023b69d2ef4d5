"""Log lines for operators: JSON (or plain text in development), each with the request's id,
and never a customer's mail address.

- :class:`RequestIdMiddleware` gives every request an id (django-log-request-id), returns it in
  the ``X-Request-ID`` response header and writes one line per request. An incoming
  ``X-Request-ID`` is kept only when a trusted proxy (TRUSTED_PROXIES) sent it, so a load
  balancer's id follows the request while a client cannot write into our log's id field.
- :class:`RequestIdFilter` puts that id on every record logged while the request runs.
- :class:`MaskMailAddresses` replaces anything that looks like a mail address in a record's
  message, arguments, extra fields and traceback. The portal takes care not to log addresses;
  this filter is the safety net for a message nobody thought about (an exception's text, a URL
  with a query string, a third-party library).
- :class:`JsonFormatter` writes one JSON object per line (python-json-logger).

The settings' LOGGING names these classes by their dotted paths, and gunicorn.conf.py hands the
same configuration to gunicorn, so the server's own lines look like the application's.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
from typing import Any

from django.http import HttpRequest, HttpResponse
from log_request_id import local  # type: ignore[import-untyped]
from log_request_id.middleware import RequestIDMiddleware  # type: ignore[import-untyped]
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from portal.clientip import client_ip, from_trusted_proxy

logger = logging.getLogger(__name__)

MASK = "[mail address]"

# Anything shaped like local-part@domain, also percent-encoded (%40) as in a URL's query
# string, with a quoted local part ("john doe"@example.jp) or an address-literal domain
# (user@[192.0.2.1]). Deliberately wider than RFC 5321: a false positive costs a word in a
# log line, a miss puts a customer's address in it. The local part stops at characters that
# separate URL parameters (& = ? /), so the parameter names around an address survive.
_LOCAL = r"(?:\"[^\"]*\"|(?:%22)[^&\s]*?(?:%22)|[\w.!#$%'*+^`{|}~-]+)"
_DOMAIN = r"(?:\[[^\]\s]*\]|%5B[^&\s]*?%5D|[\w-]+(?:\.[\w-]+)*\.?)"
MAIL_ADDRESS = re.compile(rf"{_LOCAL}(?:@|%40){_DOMAIN}", re.IGNORECASE)

# The attributes every LogRecord has; anything else on a record came in through ``extra``.
_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
}

# A request id as a proxy may send it: short, and only characters that need no escaping.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
NO_REQUEST_ID = "-"

# Load balancers ask these every few seconds; a line per probe would drown the log, so they
# are logged only when they fail.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


def mask(text: str) -> str:
    """``text`` with every mail address replaced by a fixed marker."""
    if "@" not in text and "%40" not in text.lower():
        return text
    return MAIL_ADDRESS.sub(MASK, text)


def _masked(value: Any) -> Any:
    """A copy of ``value`` safe to log: strings masked, containers walked, and any other object
    (a request, a dataclass) replaced by its masked text when that text holds an address."""
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_masked(item) for item in value)
    text = str(value)
    masked = mask(text)
    return value if masked == text else masked


class MaskMailAddresses(logging.Filter):
    """Removes mail addresses from a record before any handler formats it.

    The message is rendered with its arguments first, so an address passed as an argument is
    masked as well as one written into the message; a traceback is rendered and masked too,
    since an exception's text may quote the input that caused it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):
            record.msg = _masked(record.msg)
        else:
            record.msg = mask(record.getMessage())
            record.args = None
        if record.exc_info:
            record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_ATTRS:
                record.__dict__[key] = _masked(value)
        return True


class RequestIdFilter(logging.Filter):
    """Adds ``request_id``: the id of the request this thread is serving, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(local, "request_id", NO_REQUEST_ID)
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    the record's extra fields, and exc_info with the traceback when there is one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        # Django's request logger attaches the request object itself; its text repeats the
        # path and query string, and the status code is already on the record.
        kwargs.setdefault("reserved_attrs", [*_RECORD_ATTRS - {"request_id"}, "request"])
        super().__init__(*args, **kwargs)


class RequestIdMiddleware(RequestIDMiddleware):  # type: ignore[misc]
    """django-log-request-id's middleware, trusting an incoming id only from a trusted proxy,
    and logging one line per request: method, path (never the query string, which holds the
    customer's input), status and duration."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response: HttpResponse = super().__call__(request)
        if request.path not in QUIET_PATHS or response.status_code >= 400:
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": client_ip(request),
                },
            )
        return response

    def _get_request_id(self, request: HttpRequest) -> str:
        incoming = request.META.get(self.request_id_header or "HTTP_X_REQUEST_ID", "")
        if incoming and _REQUEST_ID.fullmatch(incoming) and from_trusted_proxy(request):
            return str(incoming)
        return str(self._generate_id())
