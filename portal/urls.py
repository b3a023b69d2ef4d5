"""The site's URLs. Japanese is served without a prefix, English under /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("check/", include("mailcheck.urls")),
    prefix_default_language=False,
)
