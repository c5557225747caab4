from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("klasy/", views.class_list, name="class_list"),
    path("klasy/<int:class_id>/", views.class_detail, name="class_detail"),
    path("uczniowie/<int:student_id>/", views.student_detail, name="student_detail"),
]
