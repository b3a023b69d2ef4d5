from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API (/api/v1/) and the tokens of the service's own systems."""

    name = "mailcheck.api"
    label = "mailcheck_api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"
