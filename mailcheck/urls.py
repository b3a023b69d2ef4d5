from django.urls import path

from mailcheck import views

app_name = "mailcheck"
urlpatterns = [
    path("", views.check, name="check"),
]
