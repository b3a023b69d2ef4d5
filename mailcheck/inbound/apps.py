from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    name = "mailcheck.inbound"
    label = "inbound"
    verbose_name = _("Test mails")
    default_auto_field = "django.db.models.BigAutoField"
