from django.urls import path

from . import views, views_editor, views_import, views_rooms

app_name = "timetable"

urlpatterns = [
    path("", views.index, name="index"),
    path("uczen/<int:student_id>/", views.student_week, name="student"),
    path("klasa/<int:class_id>/", views.class_week, name="class"),
    path("klasa/<int:class_id>/edycja/", views_editor.editor, name="editor"),
    path("klasa/<int:class_id>/edycja/dodaj/", views_editor.entry_add, name="entry_add"),
    path("wpis/<int:entry_id>/zmien/", views_editor.entry_change, name="entry_change"),
    path("wpis/<int:entry_id>/zakoncz/", views_editor.entry_end, name="entry_end"),
    path("import/", views_import.import_timetable, name="import"),
    path("import/potwierdz/", views_import.import_confirm, name="import_confirm"),
    path("import/szablon.csv", views_import.import_template, name="import_template"),
    path("nauczyciel/", views.teacher_week, name="teacher"),
    path("sala/<int:room_id>/", views.room_week, name="room"),
    path("sale/", views_rooms.room_list, name="rooms"),
    path("sale/<int:room_id>/", views_rooms.room_edit, name="room_edit"),
    path("sale/<int:room_id>/usun/", views_rooms.room_delete, name="room_delete"),
    path("zmiany/", views.changes, name="changes"),
    path("zmiany/<int:change_id>/usun/", views.change_delete, name="change_delete"),
    path("kalendarz/", views.feed_settings, name="feed_settings"),
    path("kalendarz/<str:token>.ics", views.feed, name="feed"),
]
