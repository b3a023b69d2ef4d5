from django.urls import path

from mailcheck import views
from portal.security import private_when_queried

app_name = "mailcheck"
urlpatterns = [
    # A result's address and page hold the customer's mail address: not cached, not indexed.
    path("", private_when_queried(views.check), name="check"),
]
