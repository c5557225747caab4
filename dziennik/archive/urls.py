from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.index, name="index"),
    path("rok/<int:school_year_id>/", views.close, name="close"),
    path("rok/<int:school_year_id>/korekta/", views.correction, name="correction"),
    path("<int:archive_id>/", views.archive, name="archive"),
    path("<int:archive_id>/pobierz/", views.download, name="download"),
]
