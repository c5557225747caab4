from django.urls import path

from . import views

app_name = "grades"

urlpatterns = [
    path("", views.index, name="index"),
    path("uczen/<int:student_id>/", views.student_grades, name="student"),
    path("uczen/<int:student_id>/czego-potrzebuje/", views.student_need, name="student_need"),
    path("uczen/<int:student_id>/arkusz.pdf", views.student_pdf, name="student_pdf"),
    path("dziennik/", views.gradebook_list, name="gradebook_list"),
    path("dziennik/<int:class_id>/<int:subject_id>/", views.gradebook, name="gradebook"),
    path(
        "dziennik/<int:class_id>/<int:subject_id>/kolumna/",
        views.assessment_new,
        name="assessment_new",
    ),
    path("dziennik/<int:class_id>/<int:subject_id>/analiza/", views.analytics, name="analytics"),
    path(
        "dziennik/<int:class_id>/<int:subject_id>/klasyfikacja/",
        views.classification,
        name="classification",
    ),
    path("kolumna/<int:assessment_id>/", views.assessment_edit, name="assessment_edit"),
    path("kolumna/<int:assessment_id>/usun/", views.assessment_delete, name="assessment_delete"),
    path("ocena/<int:assessment_id>/", views.grade_cell, name="grade_cell"),
    path("zachowanie/<int:class_id>/", views.behaviour, name="behaviour"),
    path("ustawienia/", views.school_settings, name="settings"),
]
