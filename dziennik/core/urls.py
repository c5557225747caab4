from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("csp-raport/", views.csp_report, name="csp_report"),
]
