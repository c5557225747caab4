from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.folder, {"folder": "inbox"}, name="inbox"),
    path("archiwum/", views.folder, {"folder": "archive"}, name="archive"),
    path("kosz/", views.folder, {"folder": "trash"}, name="trash"),
    path("wyslane/", views.folder, {"folder": "sent"}, name="sent"),
    path("nowa/", views.compose, name="compose"),
    path("watek/<int:thread_id>/", views.thread, name="thread"),
    path("<int:message_id>/odpowiedz/", views.reply, name="reply"),
    path("<int:message_id>/przenies/", views.move, name="move"),
    path("<int:message_id>/usun/", views.delete, name="delete"),
    path("<int:message_id>/wycofaj/", views.withdraw, name="withdraw"),
    path("zalacznik/<int:attachment_id>/", views.attachment, name="attachment"),
    path("nieprzeczytane/", views.unread, name="unread"),
    path("ustawienia/", views.settings_page, name="settings"),
]
