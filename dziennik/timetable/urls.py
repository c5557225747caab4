from django.urls import path

from . import views

app_name = "timetable"

urlpatterns = [
    path("", views.index, name="index"),
    path("uczen/<int:student_id>/", views.student_week, name="student"),
    path("klasa/<int:class_id>/", views.class_week, name="class"),
    path("nauczyciel/", views.teacher_week, name="teacher"),
    path("sala/<int:room_id>/", views.room_week, name="room"),
    path("zmiany/", views.changes, name="changes"),
    path("zmiany/<int:change_id>/usun/", views.change_delete, name="change_delete"),
    path("kalendarz/", views.feed_settings, name="feed_settings"),
    path("kalendarz/<str:token>.ics", views.feed, name="feed"),
]
