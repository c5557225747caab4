from django.urls import path

from . import views

app_name = "promotion"

urlpatterns = [
    path("", views.index, name="index"),
    path("klasa/<int:class_id>/", views.class_list, name="class"),
    path("klasa/<int:class_id>/przygotuj/", views.prepare, name="prepare"),
    path("klasa/<int:class_id>/decyzja-rady/", views.decide, name="decide"),
    path("klasa/<int:class_id>/zatwierdz/", views.confirm, name="confirm"),
    path("klasa/<int:class_id>/lista.pdf", views.list_pdf, name="pdf"),
    path("klasa/<int:class_id>/arkusze-ocen/", views.sheets, name="sheets"),
    path("klasa/<int:class_id>/arkusze-ocen.pdf", views.sheets_pdf, name="sheets_pdf"),
    path(
        "klasa/<int:class_id>/arkusz-ocen/<int:student_id>.pdf",
        views.sheet_pdf,
        name="sheet_pdf",
    ),
    path("wpis/<int:entry_id>/korekta/", views.correct, name="correct"),
    path("nieklasyfikowany/<int:grade_id>/", views.unclassified, name="unclassified"),
]
