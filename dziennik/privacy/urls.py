from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("eksport/konto/<int:user_id>/<str:fmt>/", views.export_user, name="export_user"),
    path(
        "eksport/uczen/<int:student_id>/<str:fmt>/",
        views.export_student,
        name="export_student",
    ),
    path("eksport/<int:export_id>/", views.export_job, name="export_job"),
    path("eksport/<int:export_id>/pobierz/", views.export_download, name="export_download"),
    path("osoby/", views.people, name="people"),
    path("odczyty/<int:student_id>/", views.reads, name="reads"),
    path("sprostowania/", views.requests_list, name="requests"),
    path("sprostowania/nowe/", views.request_new, name="request_new"),
    path("sprostowania/<int:request_id>/", views.request_page, name="request"),
]
