from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchConfig(AppConfig):
    """Batch checks: a CSV of account/address pairs checked on the task queue."""

    name = "mailcheck.batch"
    label = "batch"
    verbose_name = _("Batch checks")
    default_auto_field = "django.db.models.BigAutoField"
