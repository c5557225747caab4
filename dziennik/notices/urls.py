from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.board, name="board"),
    path("nowe/", views.announcement_new, name="new"),
    path("<int:announcement_id>/edycja/", views.announcement_edit, name="edit"),
    path("<int:announcement_id>/wycofaj/", views.announcement_withdraw, name="withdraw"),
]
