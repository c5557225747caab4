from django.urls import path

from . import views

app_name = "lucky"

urlpatterns = [
    path("ustawienia/", views.settings_page, name="settings"),
]
