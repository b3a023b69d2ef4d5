"""The thin Django shell around the core: configuration rows → core values, settings → resolver."""

from __future__ import annotations

import datetime
import functools
import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models as db_models
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mailcheck import models
from mailcheck.check import Rejected, Report, run_check
from mailcheck.dns import Resolver, resolver_from_setting
from mailcheck.dnscache import SharedDnsCache
from mailcheck.policy import IncomingProtocol, PolicyChange, Route, RouteKind, Security, Service
from mailcheck.snapshots import Snapshot
from mailcheck.validation import Path, Validation, path_text, validate


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
        submission_security=Security(row.submission_security),
        incoming_protocol=IncomingProtocol(row.incoming_protocol),
        incoming_host=row.incoming_host,
        incoming_port=row.incoming_port,
        incoming_security=Security(row.incoming_security),
        received_auth_pattern=row.received_auth_pattern,
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
    account: str, mail_from: str, service: Service, resolver: Resolver, header_from: str = ""
) -> Report | Rejected:
    """The check as the page and the command line run it: today's date in the site's time
    zone, the configured DNS budget and receiver name. An empty ``header_from`` means the
    visible From is the envelope From."""
    return run_check(
        account,
        mail_from,
        service,
        resolver,
        today=timezone.localdate(),
        budget=settings.MAILCHECK_DNS_BUDGET,
        receiver=settings.MAILCHECK_RECEIVER,
        header_from_text=header_from,
    )


def current_resolver() -> Resolver:
    """One resolver per process and setting, so the live resolver's cache is shared: by every
    process through Django's cache when REDIS_URL is set, else by the process's checks."""
    return _resolver(
        settings.MAILCHECK_DNS, settings.MAILCHECK_DNS_TIMEOUT, bool(settings.REDIS_URL)
    )


# Export and import: one JSON document so staging and production share one configuration.

EXPORT_FORMAT = "mailcheck-service/1"

# Change reasons are stored in a column of 100 characters (django-simple-history's default).
CHANGE_REASON_LENGTH = 100

# The service's own fields in the document, besides its name and active flag, in its order. The
# servers mail programs are given (mailcheck/autoconfig/) came later: a document without them
# is read with the model's defaults.
SERVICE_FIELDS = (
    "submission_host",
    "submission_port",
    "submission_security",
    "incoming_protocol",
    "incoming_host",
    "incoming_port",
    "incoming_security",
    "received_auth_pattern",
)
OPTIONAL_SERVICE_FIELDS = SERVICE_FIELDS[2:]


def export_service(row: models.Service) -> dict[str, Any]:
    """Every field of the service and of its domains, routes, addresses and changes."""
    return {
        "format": EXPORT_FORMAT,
        "name": row.name,
        "active": row.is_active,
        **{key: getattr(row, key) for key in SERVICE_FIELDS},
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


class ImportRefused(Exception):
    """The document was not imported and nothing was written. ``problems`` are sentences, each
    beginning with the place in the document it concerns (``routes[0].addresses[2]: …``)."""

    def __init__(self, problems: Sequence[str], *, unverified: bool = False) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        # True when the only reason is that DNS could not answer: the import may be confirmed.
        self.unverified = unverified


def read_document(raw: bytes) -> dict[str, Any]:
    """The export document in ``raw``, or ImportRefused naming the encoding, the JSON syntax
    error or the format it found instead."""
    try:
        # utf-8-sig: an editor on Windows may have put a byte order mark in front.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            [
                gettext(
                    "The file is not UTF-8 text: the byte 0x%(byte)02X on line %(line)d cannot "
                    "be read as UTF-8 (was it saved as Shift_JIS?). Save it as UTF-8 and try "
                    "again."
                )
                % {"byte": raw[exc.start], "line": raw[: exc.start].count(b"\n") + 1}
            ]
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [
                gettext("The file is not valid JSON: line %(line)d, column %(column)d: %(error)s.")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
            ]
        ) from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ImportRefused(
            [
                gettext(
                    'This is not a service export: its "format" must be "%(format)s", as in the '
                    "files exportservice writes."
                )
                % {"format": EXPORT_FORMAT}
            ]
        )
    return data


@dataclass(frozen=True)
class Difference:
    """One difference between the stored configuration and an import, for ``--dry-run``.
    Domains are named by name, routes by kind, addresses by text and changes by effective date,
    as the import matches them."""

    action: str  # "+" added, "-" removed, "~" changed
    where: str
    old: str = ""
    new: str = ""

    def __str__(self) -> str:
        if self.action == "~":
            return f"~ {self.where}: {self.old} → {self.new}"
        return f"{self.action} {self.where}: {self.new or self.old}"


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: checked, compared, not yet written."""

    document: dict[str, Any]  # normalised as the models store it
    row: models.Service | None  # the service of the same name, updated in place
    active: bool
    differences: tuple[Difference, ...]
    validation: Validation
    notes: tuple[str, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.validation.warnings)


_TYPES: dict[type, Any] = {
    str: _("text"),
    int: _("a whole number"),
    list: _("a list"),
    dict: _("an object"),
    bool: _("true or false"),
}


class _Reader:
    """Reads the document's values with their types, noting every problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(f"{path_text(path)}: {message}")

    def get(
        self, obj: dict[str, Any], path: Path, key: str, kind: type, *, default: Any = ...
    ) -> Any:
        where = (*path, key)
        if key not in obj or (obj[key] is None and default is not ...):
            if default is not ...:
                return default
            self.fail(where, gettext("This value is missing."))
            return None
        value = obj[key]
        # JSON has no integer type of its own: true is not a port number.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(
                where,
                gettext("Expected %(expected)s, found %(found)s.")
                % {"expected": _TYPES[kind], "found": json.dumps(value, ensure_ascii=False)},
            )
            return None
        return value

    def items(self, obj: dict[str, Any], path: Path, key: str, kind: type) -> list[Any]:
        values = self.get(obj, path, key, list)
        if values is None:
            return []
        good = []
        for index, value in enumerate(values):
            if isinstance(value, kind):
                good.append(value)
            else:
                self.fail(
                    (*path, key, index),
                    gettext("Expected %(expected)s, found %(found)s.")
                    % {"expected": _TYPES[kind], "found": json.dumps(value, ensure_ascii=False)},
                )
        return good


def _model_problems(
    reader: _Reader, row: db_models.Model, path: Path, fields: dict[str, Path] | None = None
) -> None:
    """The model's own validation (the admin's), with each message at its place in the file."""
    try:
        # Parents are not saved yet, and uniqueness is checked across the document and rows.
        row.full_clean(
            exclude=["service", "route"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            where = (fields or {}).get(name, (*path, name) if name != NON_FIELD_ERRORS else path)
            for message in messages:
                reader.fail(where, message)


def _read(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document normalised through the models, or the problems found on the way."""
    reader = _Reader()
    root: Path = ()
    name = reader.get(data, root, "name", str)
    active = reader.get(data, root, "active", bool, default=None)
    service = models.Service(
        name=name or "",
        submission_host=reader.get(data, root, "submission_host", str) or "",
        submission_port=reader.get(data, root, "submission_port", int) or 0,
    )
    for key in OPTIONAL_SERVICE_FIELDS:
        field = models.Service._meta.get_field(key)
        assert isinstance(field, db_models.Field)
        kind = int if isinstance(field, db_models.IntegerField) else str
        default = field.get_default()
        setattr(service, key, reader.get(data, root, key, kind, default=default) or default)
    domains = reader.items(data, root, "domains", str)
    routes = reader.items(data, root, "routes", dict)
    changes = reader.items(data, root, "changes", dict)
    if reader.problems:
        return {}, reader.problems
    _model_problems(reader, service, root)
    document: dict[str, Any] = {
        "name": service.name,
        "active": active,
        **{key: getattr(service, key) for key in SERVICE_FIELDS},
        "domains": [],
        "routes": [],
        "changes": [],
    }
    for index, text in enumerate(domains):
        domain = models.ServiceDomain(name=text)
        _model_problems(reader, domain, ("domains", index), {"name": ("domains", index)})
        document["domains"].append(domain.name)
    for index, item in enumerate(routes):
        path: Path = ("routes", index)
        route = models.Route(
            kind=reader.get(item, path, "kind", str) or "",
            helo=reader.get(item, path, "helo", str) or "",
            description=reader.get(item, path, "description", str, default=""),
        )
        _model_problems(reader, route, path)
        addresses = []
        for position, text in enumerate(reader.items(item, path, "addresses", str)):
            where: Path = (*path, "addresses", position)
            try:
                ipaddress.ip_address(text.strip())
            except ValueError:
                reader.fail(
                    where, gettext("%(value)s is not an IP address.") % {"value": text or '""'}
                )
                continue
            address = models.RouteAddress(address=text.strip())
            _model_problems(reader, address, where, {"address": where})
            addresses.append(address.address)
        document["routes"].append(
            {
                "kind": route.kind,
                "helo": route.helo,
                "description": route.description,
                "addresses": addresses,
            }
        )
    for index, item in enumerate(changes):
        path = ("changes", index)
        change = models.PolicyChange(
            title=reader.get(item, path, "title", str, default=""),
            announced=reader.get(item, path, "announced", str, default=None),
            effective=reader.get(item, path, "effective", str) or "",
            matched_route=reader.get(item, path, "matched_route", str) or "",
            mismatched_route=reader.get(item, path, "mismatched_route", str) or "",
        )
        _model_problems(reader, change, path)
        if isinstance(change.effective, datetime.date):
            announced = change.announced
            document["changes"].append(
                {
                    "title": change.title,
                    "announced": announced.isoformat()
                    if isinstance(announced, datetime.date)
                    else None,
                    "effective": change.effective.isoformat(),
                    "matched_route": change.matched_route,
                    "mismatched_route": change.mismatched_route,
                }
            )
    return document, reader.problems


def plan_import(data: dict[str, Any], *, resolver: Resolver | None = None) -> ImportPlan:
    """Check an export document against the models and the configuration rules
    (mailcheck.validation, with SPF asked of ``resolver`` or the configured DNS source when the
    service is the active one) and compare it with the stored service of the same name.

    Raises ImportRefused when it cannot be imported. Writes nothing.
    """
    if data.get("format") != EXPORT_FORMAT:
        raise ImportRefused(
            [
                gettext(
                    'This is not a service export: its "format" must be "%(format)s", as in the '
                    "files exportservice writes."
                )
                % {"format": EXPORT_FORMAT}
            ]
        )
    document, problems = _read(data)
    if problems:
        raise ImportRefused(problems)
    row = (
        models.Service.objects.filter(name=document["name"])
        .prefetch_related("domains", "routes__addresses", "changes")
        .first()
    )
    others = models.ServiceDomain.objects.filter(name__in=document["domains"]).select_related(
        "service"
    )
    if row is not None:
        others = others.exclude(service=row)
    owners = {d.name: d.service.name for d in others}
    problems = [
        f"{path_text(('domains', i))}: "
        + gettext("%(domain)s is already a domain of the service %(service)s.")
        % {"domain": name, "service": owners[name]}
        for i, name in enumerate(document["domains"])
        if name in owners
    ]
    active, notes = _active_state(row, document["active"])
    lookup = None
    if active:
        lookup = (resolver or current_resolver()).session(settings.MAILCHECK_DNS_BUDGET)
    validation = validate(document, lookup, complete=True)
    problems += [str(p) for p in validation.errors]
    if problems:
        raise ImportRefused(problems)
    old = export_service(row) if row is not None else None
    return ImportPlan(
        document=document,
        row=row,
        active=active,
        differences=tuple(differences(old, document)),
        validation=validation,
        notes=tuple(notes),
    )


def _active_state(row: models.Service | None, wanted: bool | None) -> tuple[bool, list[str]]:
    """Whether the imported service will be active. An import never switches the live service
    off or on: an existing service keeps its state whatever the file says (staff activate and
    deactivate in the admin, with its warning); a new one is active as the file says (or, in a
    file without "active", when no other service is) and only if no other service is."""
    notes = []
    if row is not None:
        if wanted is not None and wanted != row.is_active:
            notes.append(
                gettext(
                    "The file marks the service active but it stays inactive: an import does not "
                    "switch it on. Activate it in the admin."
                )
                if wanted
                else gettext(
                    "The file marks the service inactive but it stays active: an import does not "
                    "take the check offline. Deactivate it in the admin if that is intended."
                )
            )
        return row.is_active, notes
    live = models.Service.objects.filter(is_active=True).first()
    if wanted is False:
        return False, notes
    if live is not None:
        if wanted:
            notes.append(
                gettext(
                    "The file marks the service active, but %(service)s is the active service: "
                    "the new service is saved inactive."
                )
                % {"service": live.name}
            )
        return False, notes
    return True, notes


def differences(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Difference]:
    """What importing ``new`` over the exported ``old`` (None: no such service) would change."""
    found: list[Difference] = []
    if old is None:
        found.append(Difference("+", "service", new=new["name"]))
        old = {"domains": [], "routes": [], "changes": []}
    for key in SERVICE_FIELDS:
        if key in old and old[key] != new[key]:
            found.append(Difference("~", key, str(old[key]), str(new[key])))
    for name in old["domains"]:
        if name not in new["domains"]:
            found.append(Difference("-", "domains", old=name))
    for name in new["domains"]:
        if name not in old["domains"]:
            found.append(Difference("+", "domains", new=name))
    old_routes = {r["kind"]: r for r in old["routes"]}
    new_routes = {r["kind"]: r for r in new["routes"]}
    for kind, route in old_routes.items():
        if kind not in new_routes:
            found.append(Difference("-", f"routes[{kind}]", old=_route_text(route)))
    for kind, route in new_routes.items():
        where = f"routes[{kind}]"
        before = old_routes.get(kind)
        if before is None:
            found.append(Difference("+", where, new=_route_text(route)))
            continue
        for key in ("helo", "description"):
            if before[key] != route[key]:
                found.append(Difference("~", f"{where}.{key}", before[key], route[key]))
        for address in before["addresses"]:
            if address not in route["addresses"]:
                found.append(Difference("-", f"{where}.addresses", old=address))
        for address in route["addresses"]:
            if address not in before["addresses"]:
                found.append(Difference("+", f"{where}.addresses", new=address))
    old_changes = {c["effective"]: c for c in old["changes"]}
    new_changes = {c["effective"]: c for c in new["changes"]}
    for day, change in old_changes.items():
        if day not in new_changes:
            found.append(Difference("-", f"changes[{day}]", old=change["title"]))
    for day, change in new_changes.items():
        where = f"changes[{day}]"
        before = old_changes.get(day)
        if before is None:
            found.append(Difference("+", where, new=change["title"]))
            continue
        for key in ("title", "announced", "matched_route", "mismatched_route"):
            if before[key] != change[key]:
                found.append(Difference("~", f"{where}.{key}", str(before[key]), str(change[key])))
    return found


def _route_text(route: dict[str, Any]) -> str:
    return f"HELO {route['helo']}, {', '.join(route['addresses'])}"


def _save(row: db_models.Model, reason: str) -> None:
    # django-simple-history reads the reason for the history row from the instance.
    row._change_reason = reason  # type: ignore[attr-defined]
    row.save()


def _delete(row: db_models.Model, reason: str) -> None:
    row._change_reason = reason  # type: ignore[attr-defined]
    row.delete()


def apply_import(plan: ImportPlan, *, reason: str) -> models.Service:
    """Write a checked plan, updating rows in place: domains matched by name, routes by kind,
    addresses by text, changes by effective date. Rows that stay keep their ids, so whatever
    points at them (the notices' links to service domains) survives; a row is saved only when
    it changes, so importing an unchanged export writes nothing, not even history."""
    reason = reason[:CHANGE_REASON_LENGTH]
    document = plan.document
    row = plan.row
    if row is None:
        row = models.Service(name=document["name"], is_active=plan.active)
    changed = row.pk is None
    for key in SERVICE_FIELDS:
        if getattr(row, key) != document[key]:
            setattr(row, key, document[key])
            changed = True
    if changed:
        _save(row, reason)

    domains = {d.name: d for d in row.domains.all()}
    for name, domain in domains.items():
        if name not in document["domains"]:
            _delete(domain, reason)
    for name in document["domains"]:
        if name not in domains:
            _save(models.ServiceDomain(service=row, name=name), reason)

    routes = {r.kind: r for r in row.routes.all()}
    wanted = {r["kind"]: r for r in document["routes"]}
    for kind, route in routes.items():
        if kind not in wanted:
            # One by one, so that each address's history row carries the reason too.
            for address in route.addresses.all():
                _delete(address, reason)
            _delete(route, reason)
    for kind, item in wanted.items():
        route = routes.get(kind) or models.Route(service=row, kind=kind)
        if route.pk is None or (route.helo, route.description) != (
            item["helo"],
            item["description"],
        ):
            route.helo, route.description = item["helo"], item["description"]
            _save(route, reason)
        addresses = {a.address: a for a in route.addresses.all()} if kind in routes else {}
        for text, address in addresses.items():
            if text not in item["addresses"]:
                _delete(address, reason)
        for text in item["addresses"]:
            if text not in addresses:
                _save(models.RouteAddress(route=route, address=text), reason)

    changes = {c.effective.isoformat(): c for c in row.changes.all()}
    wanted_changes = {c["effective"]: c for c in document["changes"]}
    for day, change in changes.items():
        if day not in wanted_changes:
            _delete(change, reason)
    fields = ("title", "announced", "matched_route", "mismatched_route")
    for day, item in wanted_changes.items():
        values = {
            **{key: item[key] for key in fields},
            "announced": datetime.date.fromisoformat(item["announced"])
            if item["announced"]
            else None,
        }
        change = changes.get(day) or models.PolicyChange(
            service=row, effective=datetime.date.fromisoformat(day)
        )
        if change.pk is None or any(getattr(change, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(change, key, value)
            _save(change, reason)
    return row


def import_reason(source: str) -> str:
    """The change reason of the history rows an import writes: the command and the file."""
    return f"importservice {source}" if source else "importservice"


@transaction.atomic
def import_service(
    data: dict[str, Any],
    *,
    source: str = "",
    resolver: Resolver | None = None,
    accept_unverified: bool = False,
) -> models.Service:
    """Update the service of the same name (or create it) from an exported document.

    Checked first with the admin's rules (the models' validation and mailcheck.validation);
    a refused document raises ImportRefused and nothing is written. When DNS could not answer
    for an address, the import is refused unless ``accept_unverified``.
    """
    plan = plan_import(data, resolver=resolver)
    if plan.validation.unverified and not accept_unverified:
        raise ImportRefused([str(p) for p in plan.validation.unverified], unverified=True)
    return apply_import(plan, reason=import_reason(source))
