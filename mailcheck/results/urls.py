from django.urls import path

from mailcheck.results import views

app_name = "results"
urlpatterns = [
    path("", views.share, name="share"),
    path("<str:code>/", views.saved, name="saved"),
]
