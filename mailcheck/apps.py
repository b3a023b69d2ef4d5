from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailcheckConfig(AppConfig):
    name = "mailcheck"
    verbose_name = _("Mail service configuration")

    def ready(self) -> None:
        from mailcheck import checks  # noqa: F401  (registers the system checks)
