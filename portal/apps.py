from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Site content")

    def ready(self) -> None:
        from portal import admin_users

        # The admin has discovered every app's admin.py by now (it is the first app).
        admin_users.register()
        # Sent for this app after the apps listed before it, mailcheck included, have their
        # permissions: the support editors' group can then be given the configuration's.
        post_migrate.connect(
            admin_users.ensure_support_editor_permissions,
            sender=self,
            dispatch_uid="portal.support_editor_permissions",
        )
