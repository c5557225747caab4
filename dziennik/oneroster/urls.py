from django.urls import path

from . import views

app_name = "oneroster"

urlpatterns = [
    path("", views.index, name="index"),
    path("eksport/", views.download, name="download"),
    path("<int:platform_id>/klient/", views.client_new, name="client_new"),
    path("<int:platform_id>/klient/odwolaj/", views.client_revoke, name="client_revoke"),
]
