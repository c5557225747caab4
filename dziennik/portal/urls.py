from django.urls import path

from . import views, views_history

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("historia/", views_history.history, name="history"),
]
