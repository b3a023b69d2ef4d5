from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """Saved check results that a customer hands to support, and daily counts of checks."""

    name = "mailcheck.results"
    label = "results"
    verbose_name = _("Saved results and check counts")
    default_auto_field = "django.db.models.BigAutoField"
