"""Where mail programs look for their settings: at the site's root, never language-prefixed.

Thunderbird asks ``autoconfig.<domain>`` and ``<domain>/.well-known/``, Outlook
``autodiscover.<domain>`` (lower case, or capitalised by some versions); those names must point
at the portal (docs/deployment.md).
"""

from django.urls import path

from mailcheck.autoconfig import views

app_name = "autoconfig"
urlpatterns = [
    path("mail/config-v1.1.xml", views.thunderbird_config, name="thunderbird"),
    path(
        ".well-known/autoconfig/mail/config-v1.1.xml",
        views.thunderbird_config,
        name="thunderbird_well_known",
    ),
    path("autodiscover/autodiscover.xml", views.autodiscover_config, name="autodiscover"),
    path("Autodiscover/Autodiscover.xml", views.autodiscover_config),
    path("autoconfig/mail.mobileconfig", views.apple_profile, name="apple_profile"),
]
