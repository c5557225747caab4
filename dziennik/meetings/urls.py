from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("konsultacje/nowe/", views.session_new, name="session_new"),
    path("konsultacje/<int:session_id>/", views.session_page, name="session"),
    path("terminy/<int:slot_id>/rezerwuj/", views.slot_book, name="book"),
    path("terminy/<int:slot_id>/odwolaj/", views.slot_cancel, name="slot_cancel"),
    path("rezerwacje/<int:booking_id>/odwolaj/", views.booking_cancel, name="booking_cancel"),
    path("wywiadowki/nowa/", views.class_meeting_new, name="class_meeting_new"),
    path(
        "wywiadowki/<int:meeting_id>/odwolaj/",
        views.class_meeting_cancel,
        name="class_meeting_cancel",
    ),
    path("ustawienia/", views.settings_page, name="settings"),
]
