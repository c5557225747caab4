from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.index, name="index"),
    path("klasa/<int:class_id>/", views.class_export, name="class_export"),
    path("rok/<int:year_id>/szkola/", views.school_export, name="school_export"),
    path("pliki/<int:export_id>/", views.download, name="download"),
]
