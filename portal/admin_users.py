"""Staff accounts and their roles in the admin.

Support editors write the notices and the FAQ and read (never change) the service
configuration they explain to customers. Their group is created by a migration
(portal/migrations/0002) and given its read access to the configuration after every migrate
(``ensure_support_editor_permissions``), so that configuration models added later are covered
without a migration of their own.

The user admin makes a support editor in one step (staff status and the group together), and the
user and group admin show group and permission names in the admin's language: Django writes a
permission's name ("Can view service") in English once, at migrate time, so the names are built
again here from the model's translated name.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db.models import ManyToManyField
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The group's name as the migration stored it; shown translated.
SUPPORT_EDITORS = gettext_noop("Support editors")

# The service configuration (mailcheck/models.py): support editors may look, not touch.
SERVICE_CONFIGURATION_VIEW_PERMISSIONS = [
    ("mailcheck", f"view_{model}")
    for model in ("service", "servicedomain", "route", "routeaddress", "policychange")
]

# Django's four default permissions, named in words a translator can order freely.
DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def ensure_support_editor_permissions(
    using: str = "default", apps: Apps = global_apps, **kwargs: Any
) -> None:
    """post_migrate (after the portal app, the last one): give the support editors' group the
    configuration's view permissions it lacks. Adding only, so running it again changes nothing,
    and a group an administrator deleted is not brought back."""
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return
    group = group_model.objects.using(using).filter(name=SUPPORT_EDITORS).first()
    if group is None:
        return
    wanted = permission_model.objects.using(using).filter(
        content_type__app_label="mailcheck",
        codename__in=[codename for _app, codename in SERVICE_CONFIGURATION_VIEW_PERMISSIONS],
    )
    missing = wanted.exclude(group=group)
    if missing:
        logger.info("Support editors may now view: %s", ", ".join(p.codename for p in missing))
        group.permissions.add(*missing)


def group_label(group: Group) -> str:
    return gettext(group.name)


def permission_label(permission: Permission) -> str:
    """ "Site content | お知らせ | お知らせを閲覧できる": the permission in the admin's language."""
    model = permission.content_type.model_class()
    if model is None:  # A model that no longer exists: its stored names are all there is.
        return str(permission)
    action, _sep, model_name = permission.codename.partition("_")
    app_name = model._meta.app_config.verbose_name
    if model_name == model._meta.model_name and action in DEFAULT_PERMISSION_NAMES:
        # The model is named in the permission's own words; once is enough.
        name = DEFAULT_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
        return f"{app_name} | {name}"
    return f"{app_name} | {capfirst(model._meta.verbose_name)} | {gettext(permission.name)}"


class PermissionChoiceField(forms.ModelMultipleChoiceField[Permission]):
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


class GroupChoiceField(forms.ModelMultipleChoiceField[Group]):
    def label_from_instance(self, obj: Any) -> str:
        return group_label(obj)


def translated_choices(db_field: ManyToManyField[Any, Any], kwargs: dict[str, Any]) -> None:
    if db_field.name in ("permissions", "user_permissions"):
        kwargs["form_class"] = PermissionChoiceField
    elif db_field.name == "groups":
        kwargs["form_class"] = GroupChoiceField


class SupportEditorCreationForm(AdminUserCreationForm):
    support_editor = forms.BooleanField(
        label=_("Support editor"),
        required=False,
        initial=True,
        help_text=_(
            "Gives the new account staff status and the “Support editors” group: it can write "
            "notices and FAQ entries and read the service configuration. Untick it to set the "
            "permissions yourself on the next page."
        ),
    )

    def clean_support_editor(self) -> bool:
        wanted = bool(self.cleaned_data.get("support_editor"))
        if wanted and not Group.objects.filter(name=SUPPORT_EDITORS).exists():
            raise ValidationError(
                _("The “Support editors” group does not exist. Run the migrations again."),
                code="no_group",
            )
        return wanted

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("support_editor"):
            self.instance.is_staff = True
        return super().save(commit)

    def _save_m2m(self) -> None:
        super()._save_m2m()  # type: ignore[misc]
        if self.cleaned_data.get("support_editor"):
            self.instance.groups.add(Group.objects.get(name=SUPPORT_EDITORS))


class PortalUserAdmin(UserAdmin[User]):
    add_form = SupportEditorCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Role"), {"classes": ("wide",), "fields": ("support_editor",)}),
    )
    list_display = ("username", "email", "is_staff", "is_superuser", "group_names")

    @admin.display(description=capfirst(User._meta.get_field("groups").verbose_name))
    def group_names(self, obj: User) -> str:
        return ", ".join(group_label(group) for group in obj.groups.all())

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        translated_choices(db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PortalGroupAdmin(GroupAdmin):
    list_display = ("translated_name",)

    @admin.display(
        description=capfirst(Group._meta.get_field("name").verbose_name), ordering="name"
    )
    def translated_name(self, obj: Group) -> str:
        return group_label(obj)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        translated_choices(db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def register() -> None:
    """Put these in place of django.contrib.auth's own (PortalConfig.ready)."""
    for model, model_admin in ((User, PortalUserAdmin), (Group, PortalGroupAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)
