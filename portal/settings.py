"""Settings for the portal.

Every value comes from an environment variable with a default that runs a fresh checkout
(SQLite file under var/, the demo DNS zone, DEBUG on). `.env.example` lists every variable.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def envrate(name: str, default: str) -> str:
    """A rate for django-ratelimit ("30/m", "10/5m"), or "" for no limit."""
    value = envstr(name, default).strip()
    if value and not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must be like 30/m or 500/h, or empty, not {value!r}")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def database_from_url(url: str, base_dir: Path = BASE_DIR) -> dict[str, object]:
    """Read DATABASE_URL with dj-database-url, so that options in the query string reach OPTIONS
    (postgres://user:pw@host/name?sslmode=require → OPTIONS sslmode).

    sqlite:///relative/path is relative to the checkout, sqlite:////absolute/path is absolute;
    the SQLite file's folder is created when missing, so ``migrate`` works on a fresh checkout.
    """
    scheme = url.partition(":")[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:/// or postgres://, not {url!r}"
        )
    config: dict[str, object] = dict(dj_database_url.parse(url))
    if scheme == "sqlite":
        name = str(config["NAME"])
        if name != ":memory:":
            path = Path(name) if Path(name).is_absolute() else base_dir / name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"DATABASE_URL: cannot create the folder {path.parent}: {exc.strerror}"
                ) from exc
            config["NAME"] = path
    else:
        config["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DEBUG = envbool("DEBUG", True)
SECRET_KEY = envstr("SECRET_KEY", PLACEHOLDER_SECRET_KEY)
if not DEBUG and SECRET_KEY == PLACEHOLDER_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value when DEBUG is off.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    # The stock admin with an optional second factor (portal/admin_site.py).
    "portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "mailcheck",
    # The JSON API and its tokens; saved results and the daily check counts.
    "mailcheck.api",
    "mailcheck.results",
    # Batch checks (CSV uploads) and the task queue they run on.
    "mailcheck.batch",
    # Test mails: one-time addresses, the SMTP receiver and its grades.
    "mailcheck.inbound",
    "django_tasks",
    "django_tasks_db",
    "portal",
]

MIDDLEWARE = [
    # First, so every later middleware's log lines carry the request id and the request's one
    # log line times the whole stack (portal/logging.py).
    "portal.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(envstr("DATABASE_URL", "sqlite:///var/db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered pieces of pages that depend only on the language and the page, never on what a
# customer typed (header, navigation, footer, the check page's help): kept in each process's
# memory under the alias the {% cache %} tag uses by default, since rendering one costs less
# than a round trip to Redis. They live as long as the process: after editing one of those
# templates, restart the development server to see the change.
_TEMPLATE_FRAGMENTS = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
}
REDIS_URL = envstr("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "portal"),
            # A Redis host that stops answering must not hold a worker thread: every call
            # gives up after this long, and the portal carries on without the shared cache.
            "OPTIONS": {
                "socket_connect_timeout": envfloat("REDIS_TIMEOUT", 0.5),
                "socket_timeout": envfloat("REDIS_TIMEOUT", 0.5),
            },
        },
        "template_fragments": _TEMPLATE_FRAGMENTS,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "template_fragments": _TEMPLATE_FRAGMENTS,
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each language the way the pages write them (portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = envstr("TIME_ZONE", "Asia/Tokyo")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
    # Both only take effect once SECURE_HSTS_SECONDS is above 0. The portal has a host name of
    # its own, so its sub-domains are covered at no cost; preload only consents to the
    # browsers' list (submitting the domain at hstspreload.org is a separate, deliberate step).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    # Plain HTTP is redirected to HTTPS; behind a TLS proxy this needs BEHIND_TLS_PROXY, and a
    # plain-HTTP test install turns it off. A load balancer's health checks speak plain HTTP.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
    if envbool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        USE_X_FORWARDED_HOST = True

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from our own origin
# only; no inline script or style anywhere, the admin included (its history page's template,
# templates/simple_history/, has no inline style). tests/browser/test_csp.py fails on any
# violation on the public pages and the admin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): the portal uses none of these features. The
# copy buttons use the clipboard, which stays allowed for our own pages only.
PERMISSIONS_POLICY: dict[str, str | list[str]] = {
    feature: list[str]()
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
} | {"clipboard-write": "self"}
# Our own error pages in the URL's language (portal/views.py).
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# The admin. ADMIN_PATH moves it (say, to a path only staff know); ADMIN_REQUIRE_2FA asks every
# member of staff for a TOTP code besides the password (portal/admin_site.py).
ADMIN_PATH = envstr("ADMIN_PATH", "admin/").strip().strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("ADMIN_PATH must name a path, such as admin/ or staff-desk/")
ADMIN_REQUIRE_2FA = envbool("ADMIN_REQUIRE_2FA", False)
# The admin's name in its header and the browser tab; empty: "メールサポート 管理" (in English
# "Mail support admin"), in the admin's language.
ADMIN_SITE_HEADER = envstr("ADMIN_SITE_HEADER", "")
# The admin's language switch keeps a member of staff's choice in the language cookie for a
# year (Django's default: until the browser closes). Only the admin reads it: the public pages
# take their language from the URL (portal/admin_site.py).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = urlparse(SITE_URL).hostname or "mail-support"

# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): the
# load balancers in front of the portal. Empty: the connecting address is the client.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")

# The admin login's lockout (django-axes), counted in the database so that every machine
# behind the load balancer shares it. Counted per user name and client address together:
# someone guessing from elsewhere cannot lock a member of staff out, and a support desk behind
# one office address is not locked out by a colleague's typing.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("ADMIN_LOGIN_FAILURE_LIMIT", 5)
_lockout_minutes = envint("ADMIN_LOCKOUT_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or _lockout_minutes < 1:
    raise ImproperlyConfigured(
        "ADMIN_LOGIN_FAILURE_LIMIT and ADMIN_LOCKOUT_MINUTES must be at least 1"
    )
AXES_COOLOFF_TIME = timedelta(minutes=_lockout_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Axes masks the user name and address in its log lines by default; the operator needs both
# to see who is being guessed at and from where. The password is always masked.
AXES_SENSITIVE_PARAMETERS: list[str] = []

# The checker. MAILCHECK_DNS is "zone:PATH" (answers from an RFC 1035 master file; the
# default is the demo zone, so a fresh checkout needs no network) or
# "live:HOST[:PORT],HOST[:PORT]" (asks those recursive resolvers).
MAILCHECK_DNS = envstr("MAILCHECK_DNS", "zone:mailcheck/demo/demo.zone")
MAILCHECK_DNS_TIMEOUT = envfloat("MAILCHECK_DNS_TIMEOUT", 1.0)
MAILCHECK_DNS_BUDGET = envfloat("MAILCHECK_DNS_BUDGET", 3.0)
MAILCHECK_RECEIVER = envstr("MAILCHECK_RECEIVER", "mx.recipient.example")

# Serving and the web's limits on checks (gunicorn.conf.py, mailcheck/ratelimit.py).
# WEB_THREADS: threads per gunicorn worker process; gunicorn.conf.py reads it from here.
WEB_THREADS = envint("WEB_THREADS", 8)
# Checks running at once per process. Kept below WEB_THREADS, so that checks waiting on a slow
# name server always leave threads for every other page; a check beyond it gets "busy" (503).
MAILCHECK_MAX_CONCURRENT_CHECKS = envint("MAILCHECK_MAX_CONCURRENT_CHECKS", max(1, WEB_THREADS - 2))
if WEB_THREADS < 1 or MAILCHECK_MAX_CONCURRENT_CHECKS < 1:
    raise ImproperlyConfigured("WEB_THREADS and MAILCHECK_MAX_CONCURRENT_CHECKS must be at least 1")
# Checks started from the web per client address and per envelope-From domain, as "COUNT/PERIOD"
# (PERIOD s, m, h or d, optionally with a number: "30/m", "500/h", "10/5m"); empty: no limit.
# Counted in the default cache: set REDIS_URL, or each worker process counts on its own.
CHECK_RATE_LIMIT = envrate("CHECK_RATE_LIMIT", "30/m")
CHECK_DOMAIN_RATE_LIMIT = envrate("CHECK_DOMAIN_RATE_LIMIT", "120/m")
# Days a result saved for support is kept (mailcheck/results/); `manage.py purgeresults` deletes
# it afterwards, and it is never shown once expired.
SAVED_RESULT_DAYS = envint("SAVED_RESULT_DAYS", 30)
if SAVED_RESULT_DAYS < 1:
    raise ImproperlyConfigured("SAVED_RESULT_DAYS must be at least 1")

# Batch checks (mailcheck/batch/) run on a task queue (django-tasks). TASKS_BACKEND:
# "database" (default: tasks wait in the database, `manage.py db_worker` runs them; make run and
# make serve start it beside the web server), "rq" (Redis at TASKS_REDIS_URL, default REDIS_URL;
# `manage.py rqworker` on any number of machines) or "immediate" (inside the upload's request;
# for tests only: a large batch would hold the request for minutes).
TASKS_BACKEND = envstr("TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "rq":
    TASKS_REDIS_URL = envstr("TASKS_REDIS_URL", REDIS_URL)
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs TASKS_REDIS_URL or REDIS_URL")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # A batch of BATCH_MAX_ROWS rows on slow name servers may run for long: an hour at most.
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    INSTALLED_APPS.append("django_rq")
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database, rq or immediate, not {TASKS_BACKEND!r}"
    )
# Rows one upload may hold, days a batch and its results are kept (then `manage.py prunebatches`
# deletes them), and uploads per client address ("COUNT/PERIOD" as above; empty: no limit).
BATCH_MAX_ROWS = envint("BATCH_MAX_ROWS", 10_000)
BATCH_KEEP_DAYS = envint("BATCH_KEEP_DAYS", 7)
if BATCH_MAX_ROWS < 1 or BATCH_KEEP_DAYS < 1:
    raise ImproperlyConfigured("BATCH_MAX_ROWS and BATCH_KEEP_DAYS must be at least 1")
BATCH_RATE_LIMIT = envrate("BATCH_RATE_LIMIT", "10/h")
# The upload's size in bytes; a row is well under 200 bytes, so the default fits BATCH_MAX_ROWS.
BATCH_MAX_BYTES = envint("BATCH_MAX_BYTES", 4 * 1024 * 1024)

# Test mails (mailcheck/inbound/): the customer's mail program sends to check-<token>@
# TEST_MAIL_DOMAIN (its MX points at `manage.py receivemail`), and the address is kept for
# TEST_MAIL_MINUTES. TEST_MAIL_BIND is where make run / make serve start the receiver beside the
# web server (empty: not started there). Messages are cut at TEST_MAIL_MAX_BYTES (only headers
# are kept anyway); TEST_MAIL_MAX_CONNECTIONS connections per client address at once. STARTTLS
# is offered when TEST_MAIL_TLS_CERT and TEST_MAIL_TLS_KEY name PEM files. A load balancer in
# TEST_MAIL_TRUSTED_PROXIES must send a HAProxy PROXY header (v1 or v2) naming the real client;
# from anyone else a PROXY header is refused.
TEST_MAIL_DOMAIN = envstr("TEST_MAIL_DOMAIN", "test-mail.localhost")
TEST_MAIL_MINUTES = envint("TEST_MAIL_MINUTES", 30)
TEST_MAIL_BIND = envstr("TEST_MAIL_BIND", "127.0.0.1:2525")
TEST_MAIL_MAX_BYTES = envint("TEST_MAIL_MAX_BYTES", 1024 * 1024)
TEST_MAIL_MAX_CONNECTIONS = envint("TEST_MAIL_MAX_CONNECTIONS", 5)
# Recipients refused per client address in an hour before the receiver closes on it (421).
TEST_MAIL_MAX_REFUSED = envint("TEST_MAIL_MAX_REFUSED", 20)
TEST_MAIL_TLS_CERT = envstr("TEST_MAIL_TLS_CERT", "")
TEST_MAIL_TLS_KEY = envstr("TEST_MAIL_TLS_KEY", "")
TEST_MAIL_TRUSTED_PROXIES = envlist("TEST_MAIL_TRUSTED_PROXIES", "")
# Test addresses one client may make (COUNT/PERIOD; empty: no limit), on the page and the API.
TEST_MAIL_RATE_LIMIT = envrate("TEST_MAIL_RATE_LIMIT", "10/h")
if TEST_MAIL_MINUTES < 1 or TEST_MAIL_MAX_BYTES < 1024 or TEST_MAIL_MAX_CONNECTIONS < 1:
    raise ImproperlyConfigured(
        "TEST_MAIL_MINUTES and TEST_MAIL_MAX_CONNECTIONS must be at least 1, "
        "TEST_MAIL_MAX_BYTES at least 1024"
    )
if bool(TEST_MAIL_TLS_CERT) != bool(TEST_MAIL_TLS_KEY):
    raise ImproperlyConfigured("Set both TEST_MAIL_TLS_CERT and TEST_MAIL_TLS_KEY, or neither")

# Logs: one JSON object per line in production, plain text in development; every line has the
# request id and no mail address (portal/logging.py). The server's own lines (gunicorn) use
# the same configuration; its access log is off unless WEB_ACCESS_LOG is on, since the
# portal writes one line per request itself, with the request id.
LOG_FORMAT = envstr("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOG_LEVEL = envstr("LOG_LEVEL", "INFO").upper()
WEB_ACCESS_LOG = envbool("WEB_ACCESS_LOG", False)
LOG_REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"  # believed from TRUSTED_PROXIES only
GENERATE_REQUEST_ID_IF_NOT_IN_HEADER = True
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"
_LOG_TO_CONSOLE = {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.logging.RequestIdFilter"},
        "mask_mail_addresses": {"()": "portal.logging.MaskMailAddresses"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "portal.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_mail_addresses"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own defaults send these elsewhere (and runserver's lines unmasked).
    "loggers": {
        "django": _LOG_TO_CONSOLE,
        "django.server": _LOG_TO_CONSOLE,
        "gunicorn.error": _LOG_TO_CONSOLE,
        "gunicorn.access": {
            "handlers": ["console"] if WEB_ACCESS_LOG else [],
            "level": "INFO" if WEB_ACCESS_LOG else "CRITICAL",
            "propagate": False,
        },
    },
}
