"""The resource API that single sign-on's access tokens open (scope ``register``)."""

from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("me/", views.api_me, name="me"),
    path("students/<int:student_id>/", views.api_student, name="student"),
]
