from django.urls import path

from . import views, views_import

app_name = "schools"

urlpatterns = [
    path("herb/", views.crest, name="crest"),
    path("klasy/", views.class_list, name="class_list"),
    path("klasy/<int:class_id>/", views.class_detail, name="class_detail"),
    path("uczniowie/<int:student_id>/", views.student_detail, name="student_detail"),
    path("import/", views_import.import_students, name="import"),
    path("import/potwierdz/", views_import.import_confirm, name="import_confirm"),
    path("import/szablon.csv", views_import.import_template, name="import_template"),
]
