from django.urls import path

from . import health, views

app_name = "core"

urlpatterns = [
    path("csp-raport/", views.csp_report, name="csp_report"),
    path("readyz", health.readyz, name="readyz"),
]
