"""The production server: gunicorn with threaded workers, configured by the environment.

Run as ``gunicorn -c gunicorn.conf.py`` (``make serve`` does). Why threads: a check can wait
seconds for a slow or silent name server. With one request per process (gunicorn's sync
workers) a handful of such checks held every worker and the whole site stopped answering.
A thread waiting on a DNS socket holds no CPU and releases the GIL, so a process with
WEB_THREADS threads keeps serving other pages while some threads wait. Checks themselves are
capped per process below the thread count (MAILCHECK_MAX_CONCURRENT_CHECKS, in the settings),
so waiting checks never take the last threads; an extra check is told "busy" at once.
Processes (WEB_WORKERS, default one per CPU the process may use) give the CPU-bound part of
pages, rendering and SPF evaluation, every core despite the GIL.

Environment:
  HOST, PORT                  where to listen (default 127.0.0.1:8000)
  WEB_WORKERS                 worker processes (default: usable CPUs)
  WEB_THREADS                 threads per worker (default 8; read by the settings)
  WEB_TIMEOUT                 seconds of silence before a worker is restarted (default 30)
  WEB_GRACEFUL_TIMEOUT        seconds a stopping worker may finish its requests (default 30)
  WEB_KEEPALIVE               seconds an idle keep-alive connection stays open (default 5)
  WEB_MAX_REQUESTS            restart a worker after this many requests, 0: never (default 0)
  WEB_ACCESS_LOG              gunicorn's access log on or off (default off; read by the settings)
and every setting of the portal (DEBUG, SECRET_KEY, ...): the settings are read here once, so
a bad value stops the server before it starts, and the server logs the way the portal does.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal import settings as _settings  # noqa: E402  (needs the path above)

_host = _settings.envstr("HOST", "127.0.0.1")
if ":" in _host and not _host.startswith("["):
    _host = f"[{_host}]"

wsgi_app = "portal.wsgi:application"
chdir = str(_ROOT)
bind = [f"{_host}:{_settings.envint('PORT', 8000)}"]
worker_class = "gthread"
workers = _settings.envint("WEB_WORKERS", len(os.sched_getaffinity(0)))
threads = _settings.WEB_THREADS
timeout = _settings.envint("WEB_TIMEOUT", 30)
graceful_timeout = _settings.envint("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _settings.envint("WEB_KEEPALIVE", 5)
max_requests = _settings.envint("WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# One logging configuration for the server and the portal (JSON lines with the request id,
# mail addresses masked). When the access log is on, its lines leave out the query string
# (%(U)s is the path alone, where %(r)s would be the whole request line) and the referrer,
# both of which may hold the address a customer checked.
logconfig_dict = _settings.LOGGING
loglevel = _settings.LOG_LEVEL.lower()
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def when_ready(server: Any) -> None:
    log = logging.getLogger("gunicorn.error")
    log.info(
        "serving with %d workers of %d threads, at most %d checks at once per worker",
        workers,
        threads,
        _settings.MAILCHECK_MAX_CONCURRENT_CHECKS,
    )
    if _settings.DEBUG:
        log.warning("DEBUG is on: not for production (set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS)")
