"""The audit trail of the service's configuration, as support staff read it in the admin.

django-simple-history keeps a row for every save and delete of the configuration models (admin
edits with the staff member, imports with the reason "importservice <file>"). This module turns
those rows into entries that say what changed: each changed field by its translated label, the
value before and after in words (a dash for nothing, yes/no, a choice's label), who made the
change and when. The history page of each configuration model and the service's audit page
(``ServiceAdmin.audit_view``) show the same entries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models as db_models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mailcheck import models
from mailcheck.services import import_reason

EMPTY = "—"

CREATED, CHANGED, DELETED = "+", "~", "-"
ACTIONS = {
    CREATED: _("created"),
    CHANGED: _("changed"),
    DELETED: _("deleted"),
}

# The prefix import_reason gives every history row an import writes.
IMPORT_PREFIX = import_reason("")


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    """One history row: what changed, by whom, when."""

    action: str  # CREATED, CHANGED or DELETED
    model_label: str  # the model's translated name: "outbound address"
    object_label: str  # the row as it reads in the admin: "192.0.2.25"
    changes: tuple[FieldChange, ...]
    by: str  # the staff member, "import: <file>" or the change reason
    reason: str  # the change reason when a staff member is named too, else ""
    when: datetime.datetime

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))


class _Related:
    """Names the rows a foreign key points to, once each, even after they were deleted."""

    def __init__(self) -> None:
        self.names: dict[tuple[type[db_models.Model], Any], str] = {}

    def name(self, model: type[db_models.Model], pk: Any) -> str:
        key = (model, pk)
        if key not in self.names:
            self.names[key] = self._lookup(model, pk)
        return self.names[key]

    def _lookup(self, model: type[db_models.Model], pk: Any) -> str:
        row = model._default_manager.filter(pk=pk).first()
        if row is not None:
            return str(row)
        history = getattr(model, "history", None)
        if history is not None:
            record = history.filter(pk=pk).order_by("-history_date", "-history_id").first()
            if record is not None:
                return str(record.history_object)
        return f"#{pk}"


def display(field: db_models.Field[Any, Any], value: Any, related: _Related) -> str:
    """A stored value as staff read it: never "None"."""
    if value is None or value == "":
        return EMPTY
    if isinstance(field, db_models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, db_models.ForeignKey) and not isinstance(field.related_model, str):
        return related.name(field.related_model, value)
    if isinstance(value, datetime.datetime):
        return str(formats.date_format(timezone.localtime(value), "DATETIME_FORMAT"))
    if isinstance(value, datetime.date):
        return str(formats.date_format(value, "DATE_FORMAT"))
    return str(value)


def _fields(record: Any) -> list[db_models.Field[Any, Any]]:
    """The fields staff edit, in the model's order (the primary key is not one of them)."""
    return [
        field
        for field in record.instance_type._meta.fields
        if field.editable and not field.primary_key
    ]


def _value(record: Any, field: db_models.Field[Any, Any]) -> Any:
    return getattr(record, field.attname)


def previous(record: Any) -> Any:
    """The row before ``record`` in its object's history (the library's ``prev_record`` misses
    one saved in the same microsecond)."""
    pk_name = record.instance_type._meta.pk.attname
    moment = record.history_date
    return (
        type(record)
        ._default_manager.filter(**{pk_name: getattr(record, pk_name)})
        .filter(
            Q(history_date__lt=moment) | Q(history_date=moment, history_id__lt=record.history_id)
        )
        .order_by("-history_date", "-history_id")
        .first()
    )


def _changes(record: Any, before: Any, related: _Related) -> tuple[FieldChange, ...]:
    fields = _fields(record)
    if record.history_type == DELETED:
        # The deletion row holds the last values; nothing comes after them.
        return tuple(
            FieldChange(
                capfirst(str(f.verbose_name)), display(f, _value(record, f), related), EMPTY
            )
            for f in fields
        )
    if before is None or record.history_type == CREATED:
        return tuple(
            FieldChange(
                capfirst(str(f.verbose_name)), EMPTY, display(f, _value(record, f), related)
            )
            for f in fields
        )
    delta = record.diff_against(before, included_fields=[f.name for f in fields])
    changed = set(delta.changed_fields)
    return tuple(
        FieldChange(
            capfirst(str(f.verbose_name)),
            display(f, _value(before, f), related),
            display(f, _value(record, f), related),
        )
        for f in fields
        if f.name in changed
    )


def _who(record: Any) -> tuple[str, str]:
    reason = record.history_change_reason or ""
    user = record.history_user
    if user is not None:
        return user.get_username(), reason
    if reason.startswith(IMPORT_PREFIX):
        source = reason[len(IMPORT_PREFIX) :].strip()
        return gettext("import: %(file)s") % {"file": source or EMPTY}, ""
    if reason:
        return reason, ""
    return gettext("Not recorded"), ""


def entries(records: Sequence[Any]) -> list[Entry]:
    """Entries for history rows of any one model or of several; each is compared with the row
    before it in its own object's history."""
    related = _Related()
    found = []
    for index, record in enumerate(records):
        before = None
        if record.history_type == CHANGED:
            following = records[index + 1] if index + 1 < len(records) else None
            pk_name = record.instance_type._meta.pk.attname
            if (
                following is not None
                and type(following) is type(record)
                and getattr(following, pk_name) == getattr(record, pk_name)
            ):
                before = following  # The per-object page lists rows newest first.
            else:
                before = previous(record)
        by, reason = _who(record)
        found.append(
            Entry(
                action=record.history_type,
                model_label=capfirst(str(record.instance_type._meta.verbose_name)),
                object_label=str(record.history_object),
                changes=_changes(record, before, related),
                by=by,
                reason=reason,
                when=record.history_date,
            )
        )
    return found


# The service's whole configuration: its own rows and every row that belongs to it.


def service_history_keys(service: models.Service) -> list[tuple[datetime.datetime, str, int]]:
    """(time, model name, history id) of every history row of the service and its domains,
    routes, addresses and changes, newest first. Read as three small columns from each table and
    merged here, so that a page loads only its own rows."""
    route_ids = models.Route.history.filter(service_id=service.pk).values("id")
    sources: list[tuple[type[db_models.Model], Q]] = [
        (models.Service, Q(id=service.pk)),
        (models.ServiceDomain, Q(service_id=service.pk)),
        (models.Route, Q(service_id=service.pk)),
        (models.RouteAddress, Q(route_id__in=route_ids)),
        (models.PolicyChange, Q(service_id=service.pk)),
    ]
    keys: list[tuple[datetime.datetime, str, int]] = []
    for model, condition in sources:
        history = model.history  # type: ignore[attr-defined]
        keys.extend(
            (moment, model._meta.model_name or "", history_id)
            for history_id, moment in history.filter(condition).values_list(
                "history_id", "history_date"
            )
        )
    keys.sort(reverse=True)
    return keys


def load(keys: Iterable[tuple[datetime.datetime, str, int]]) -> list[Any]:
    """The history rows named by ``keys``, in their order."""
    keys = list(keys)
    wanted: dict[str, list[int]] = {}
    for _moment, name, history_id in keys:
        wanted.setdefault(name, []).append(history_id)
    rows: dict[tuple[str, int], Any] = {}
    for name, ids in wanted.items():
        model = models.Service._meta.apps.get_model("mailcheck", name)
        history = model.history
        for record in history.filter(history_id__in=ids).select_related("history_user"):
            rows[(name, record.history_id)] = record
    return [rows[(name, history_id)] for _moment, name, history_id in keys]
