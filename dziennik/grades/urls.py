from django.urls import path

from . import views, views_settings

app_name = "grades"

urlpatterns = [
    path("", views.index, name="index"),
    path("uczen/<int:student_id>/", views.student_overview, name="student_overview"),
    path("uczen/<int:student_id>/szczegoly/", views.student_grades, name="student"),
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
    path("klasa/<int:class_id>/", views.class_summary, name="class_summary"),
    path("ustawienia/", views.school_settings, name="settings"),
    # the principal's rule tables: categories, special marks, point scale, thresholds
    path("ustawienia/tabele/", views_settings.rules_index, name="rule_tables"),
    path("ustawienia/tabele/domyslne/", views_settings.rules_setup, name="rules_setup"),
    path("ustawienia/kategorie/nowa/", views_settings.category_new, name="category_new"),
    path(
        "ustawienia/kategorie/<int:category_id>/",
        views_settings.category_edit,
        name="category_edit",
    ),
    path(
        "ustawienia/kategorie/<int:category_id>/usun/",
        views_settings.category_delete,
        name="category_delete",
    ),
    path("ustawienia/oceny-specjalne/nowa/", views_settings.mark_new, name="mark_new"),
    path("ustawienia/oceny-specjalne/<int:mark_id>/", views_settings.mark_edit, name="mark_edit"),
    path(
        "ustawienia/oceny-specjalne/<int:mark_id>/usun/",
        views_settings.mark_delete,
        name="mark_delete",
    ),
    path("ustawienia/skala-punktowa/", views_settings.point_scale_edit, name="point_scale"),
    path("ustawienia/progi-srednich/", views_settings.thresholds_edit, name="thresholds"),
    path("ustawienia/nazwy-ocen/", views_settings.scale_names_edit, name="scale_names"),
]
