"""The site's URLs. Japanese is served without a prefix, English under /en/; the admin at
ADMIN_PATH (default admin/)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from mailcheck.api.routes import api
from portal import content_views, health, views
from portal.feeds import NoticeFeed
from portal.sitemaps import SITEMAPS

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    # The admin's language switch (set_language); never language-prefixed.
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap_xml"),
    # For load balancers: never language-prefixed, never redirected (portal/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The JSON API and its documentation (mailcheck/api/): no language prefix, no CSRF.
    path("api/v1/", api.urls),
    # Where mail programs look for their settings (autoconfig, Autodiscover, Apple profile).
    path("", include("mailcheck.autoconfig.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("check/", include("mailcheck.urls")),
    path("notices/", content_views.notice_list, name="notice_list"),
    path("notices/feed/", NoticeFeed(), name="notice_feed"),
    path("notices/<slug:slug>/", content_views.notice_detail, name="notice_detail"),
    path("faq/", content_views.faq, name="faq"),
    path("faq/<slug:slug>/", content_views.faq_detail, name="faq_detail"),
    path("sitemap/", content_views.site_map, name="site_map"),
    path("r/", include("mailcheck.results.urls")),
    prefix_default_language=False,
)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
