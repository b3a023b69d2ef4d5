"""The thin Django shell around the core: configuration rows → core values, settings → resolver."""

from __future__ import annotations

import functools
import json
from typing import Any

from django.conf import settings
from django.db import models as db_models
from django.db import transaction
from django.utils import timezone

from mailcheck import models
from mailcheck.check import Rejected, Report, run_check
from mailcheck.dns import Resolver, resolver_from_setting
from mailcheck.dnscache import SharedDnsCache
from mailcheck.policy import PolicyChange, Route, RouteKind, Service
from mailcheck.snapshots import Snapshot


class ServiceNotConfigured(LookupError):
    pass


def load_service() -> Service | str:
    """The active service read from the database, or why there is none usable."""
    row = (
        models.Service.objects.filter(is_active=True)
        .prefetch_related("domains", "routes__addresses", "changes")
        .first()
    )
    if row is None:
        return "no active service"
    try:
        return to_core(row)
    except (ValueError, LookupError) as exc:
        return str(exc)


# Written anew on every save, delete or import of the configuration (mailcheck/signals.py).
SERVICE_SNAPSHOT: Snapshot[Service | str] = Snapshot("mailcheck-service", load_service)


def current_service() -> Service:
    """The active service as the core sees it. Kept in the shared cache under a generation that
    every configuration edit renews, so a warm check reads no row and every machine behind a
    load balancer sees an admin's change on its next request."""
    service = SERVICE_SNAPSHOT.get()
    if isinstance(service, str):
        raise ServiceNotConfigured(service)
    return service


def to_core(row: models.Service) -> Service:
    routes = tuple(
        Route(
            kind=RouteKind(route.kind),
            addresses=tuple(a.address for a in route.addresses.all()),
            helo=route.helo,
        )
        for route in row.routes.all()
    )
    service = Service(
        name=row.name,
        submission_host=row.submission_host,
        submission_port=row.submission_port,
        domains=tuple(d.name for d in row.domains.all()),
        routes=routes,
        changes=tuple(
            PolicyChange(
                effective=change.effective,
                matched_route=RouteKind(change.matched_route),
                mismatched_route=RouteKind(change.mismatched_route),
                announced=change.announced,
                title=change.title,
            )
            for change in row.changes.all()
        ),
    )
    for kind in RouteKind:
        service.route(kind)
    return service


@functools.cache
def _resolver(value: str, timeout: float, shared_cache: bool) -> Resolver:
    cache = SharedDnsCache() if shared_cache else None
    return resolver_from_setting(value, settings.BASE_DIR, timeout=timeout, cache=cache)


def check_as_configured(
    account: str, mail_from: str, service: Service, resolver: Resolver
) -> Report | Rejected:
    """The check as the page and the command line run it: today's date in the site's time
    zone, the configured DNS budget and receiver name."""
    return run_check(
        account,
        mail_from,
        service,
        resolver,
        today=timezone.localdate(),
        budget=settings.MAILCHECK_DNS_BUDGET,
        receiver=settings.MAILCHECK_RECEIVER,
    )


def current_resolver() -> Resolver:
    """One resolver per process and setting, so the live resolver's cache is shared: by every
    process through Django's cache when REDIS_URL is set, else by the process's checks."""
    return _resolver(
        settings.MAILCHECK_DNS, settings.MAILCHECK_DNS_TIMEOUT, bool(settings.REDIS_URL)
    )


# Export and import: one JSON document so staging and production share one configuration.

EXPORT_FORMAT = "mailcheck-service/1"


def export_service(row: models.Service) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "name": row.name,
        "submission_host": row.submission_host,
        "submission_port": row.submission_port,
        "domains": [d.name for d in row.domains.all()],
        "routes": [
            {
                "kind": route.kind,
                "helo": route.helo,
                "description": route.description,
                "addresses": [a.address for a in route.addresses.all()],
            }
            for route in row.routes.all()
        ],
        "changes": [
            {
                "title": change.title,
                "announced": change.announced.isoformat() if change.announced else None,
                "effective": change.effective.isoformat(),
                "matched_route": change.matched_route,
                "mismatched_route": change.mismatched_route,
            }
            for change in row.changes.order_by("effective")
        ],
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _save_valid(row: db_models.Model) -> None:
    row.full_clean()
    row.save()


@transaction.atomic
def import_service(data: dict[str, Any]) -> models.Service:
    """Replace the service of the same name (or create it) with the exported document.

    Every row is validated with the same rules as the admin; a bad value raises
    django.core.exceptions.ValidationError and nothing is written.
    """
    if data.get("format") != EXPORT_FORMAT:
        raise ValueError(f"not a service export (expected format {EXPORT_FORMAT!r})")
    row = models.Service.objects.filter(name=data["name"]).first() or models.Service(
        name=data["name"]
    )
    row.submission_host = data["submission_host"]
    row.submission_port = int(data["submission_port"])
    if row.pk is None:
        row.is_active = not models.Service.objects.filter(is_active=True).exists()
    _save_valid(row)
    row.domains.all().delete()
    row.routes.all().delete()
    row.changes.all().delete()
    for name in data["domains"]:
        domain = models.ServiceDomain(service=row, name=name)
        _save_valid(domain)
    for item in data["routes"]:
        route = models.Route(
            service=row,
            kind=item["kind"],
            helo=item["helo"],
            description=item.get("description", ""),
        )
        _save_valid(route)
        if not item["addresses"]:
            raise ValueError(f"the {item['kind']} route has no address")
        for text in item["addresses"]:
            address = models.RouteAddress(route=route, address=text)
            _save_valid(address)
    for item in data["changes"]:
        change = models.PolicyChange(
            service=row,
            title=item["title"],
            announced=item.get("announced"),
            effective=item["effective"],
            matched_route=item["matched_route"],
            mismatched_route=item["mismatched_route"],
        )
        _save_valid(change)
    to_core(row)
    return row
