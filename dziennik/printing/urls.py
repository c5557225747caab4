from django.urls import path

from . import views

app_name = "printing"

urlpatterns = [
    path("", views.index, name="index"),
    path("klasa/<int:class_id>/<str:kind>/", views.class_start, name="class_start"),
    path("rok/<int:year_id>/szkola/", views.school_start, name="school_start"),
    path("<int:job_id>/", views.job, name="job"),
    path("<int:job_id>/pobierz/", views.download, name="download"),
]
