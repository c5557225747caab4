from django.urls import path

from . import views, views_settings

app_name = "attendance"

urlpatterns = [
    path("", views.index, name="index"),
    path("dzis/", views.today, name="today"),
    path("lekcje/otworz/", views.lesson_open, name="lesson_open"),
    path("lekcje/<int:lesson_id>/", views.lesson_detail, name="lesson"),
    path("braki/", views.missing, name="missing"),
    path("uczen/<int:student_id>/", views.student_attendance, name="student"),
    path("uczen/<int:student_id>/tematy/", views.student_topics, name="student_topics"),
    path("uczen/<int:student_id>/wydruk.pdf", views.student_pdf, name="student_pdf"),
    path(
        "uczen/<int:student_id>/usprawiedliwienie/",
        views.justification_new,
        name="justification_new",
    ),
    path(
        "uczen/<int:student_id>/zglos-nieobecnosc/",
        views.absence_notice_new,
        name="notice_new",
    ),
    path(
        "zgloszenia/<int:notice_id>/wycofaj/",
        views.absence_notice_withdraw,
        name="notice_withdraw",
    ),
    path("usprawiedliwienia/", views.justification_list, name="justifications"),
    path(
        "usprawiedliwienia/<int:justification_id>/",
        views.justification_detail,
        name="justification",
    ),
    path(
        "usprawiedliwienia/<int:justification_id>/zalacznik/",
        views.justification_attachment,
        name="justification_attachment",
    ),
    path("klasa/<int:class_id>/", views.class_summary, name="class_summary"),
    path("klasa/<int:class_id>/arkusz.pdf", views.class_sheet_pdf, name="class_sheet"),
    path("szkola/", views.school_view, name="school"),
    # the principal's attendance rules and subject exemptions
    path("ustawienia/", views_settings.settings_index, name="settings"),
    path("ustawienia/domyslne/", views_settings.kinds_setup, name="kinds_setup"),
    path("ustawienia/rodzaje/nowy/", views_settings.kind_new, name="kind_new"),
    path("ustawienia/rodzaje/<int:kind_id>/", views_settings.kind_edit, name="kind_edit"),
    path("ustawienia/rodzaje/<int:kind_id>/usun/", views_settings.kind_delete, name="kind_delete"),
    path("ustawienia/zasady/", views_settings.rules_edit, name="rules"),
    path("zwolnienia/", views_settings.exemption_list, name="exemptions"),
    path("zwolnienia/nowe/", views_settings.exemption_new, name="exemption_new"),
    path(
        "zwolnienia/<int:exemption_id>/zakoncz/",
        views_settings.exemption_end,
        name="exemption_end",
    ),
    path(
        "zwolnienia/<int:exemption_id>/wycofaj/",
        views_settings.exemption_withdraw,
        name="exemption_withdraw",
    ),
]
