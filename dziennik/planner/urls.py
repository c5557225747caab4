from django.urls import path

from . import views

app_name = "planner"

urlpatterns = [
    path("", views.month, name="calendar"),
    path("tydzien/", views.week, name="week"),
    path("lista/", views.agenda, name="list"),
    path("nowe/", views.event_new, name="new"),
    path("<int:event_id>/", views.event_detail, name="event"),
    path("<int:event_id>/zalacznik/", views.event_attachment, name="attachment"),
    path("<int:event_id>/edycja/", views.event_edit, name="edit"),
    path("<int:event_id>/usun/", views.event_delete, name="delete"),
    path("<int:event_id>/kolumna/", views.event_make_column, name="make_column"),
    path("limity/", views.settings_page, name="settings"),
]
