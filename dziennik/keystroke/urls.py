from django.urls import path

from . import views

app_name = "keystroke"

urlpatterns = [
    path("", views.own_settings, name="settings"),
    path("wlacz/", views.enable, name="enable"),
    path("wylacz/", views.disable, name="disable"),
    path("nietypowe-logowania/przejrzane/", views.unusual_seen, name="unusual_seen"),
    path("szkola/", views.school_settings, name="school_settings"),
]
