"""Every save, delete or import of the service's configuration renews the cached snapshot.

Admin saves and inline edits, ``importservice`` and the shell all go through ``save()`` and
``delete()`` (cascades included, which send ``post_delete`` for each row), so these receivers see
them all. ``QuerySet.update()`` sends no signal: code that updates these rows in bulk must call
``SERVICE_SNAPSHOT.invalidate_on_commit()`` itself. ``migrate`` renews it too, so a deploy that
changes the configuration's shape never reads a snapshot pickled by the previous release.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_migrate, post_save

from mailcheck.services import SERVICE_SNAPSHOT

CONFIGURATION_MODELS = ("Service", "ServiceDomain", "Route", "RouteAddress", "PolicyChange")


def configuration_changed(**kwargs: Any) -> None:
    SERVICE_SNAPSHOT.invalidate_on_commit()


def migrated(app_config: Any, **kwargs: Any) -> None:
    if app_config.name == "mailcheck":
        SERVICE_SNAPSHOT.invalidate()


def connect() -> None:
    for name in CONFIGURATION_MODELS:
        sender = f"mailcheck.{name}"
        post_save.connect(configuration_changed, sender=sender, dispatch_uid=f"{sender}:saved")
        post_delete.connect(configuration_changed, sender=sender, dispatch_uid=f"{sender}:deleted")
    post_migrate.connect(migrated, dispatch_uid="mailcheck:migrated")
