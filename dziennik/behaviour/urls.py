from django.urls import path

from . import views

app_name = "behaviour"

urlpatterns = [
    path("", views.index, name="index"),
    path("uczen/<int:student_id>/", views.student_page, name="student"),
    path("uczen/<int:student_id>/nowa/", views.note_new, name="note_new"),
    path("klasa/<int:class_id>/", views.class_page, name="class"),
    path("uwagi/<int:note_id>/edycja/", views.note_edit, name="note_edit"),
    path("uwagi/<int:note_id>/wycofaj/", views.note_withdraw, name="note_withdraw"),
    path("ustawienia/", views.settings_page, name="settings"),
]
