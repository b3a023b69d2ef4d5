from django.urls import path

from mailcheck import guide_views, views
from portal.security import private_when_queried

app_name = "mailcheck"
urlpatterns = [
    # A result's address and page hold the customer's mail address: not cached, not indexed.
    path("", private_when_queried(views.check), name="check"),
    # Opened from a result, a guide's address and page hold the customer's values too.
    path("guides/", private_when_queried(guide_views.guide_index), name="guides"),
    path("guides/<slug:program>/", private_when_queried(guide_views.guide_detail), name="guide"),
]
