from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("", views.platforms, name="platforms"),
    path("nowa/", views.platform_new, name="platform_new"),
    path("<int:platform_id>/", views.platform_edit, name="platform_edit"),
    path("<int:platform_id>/odwolaj/", views.platform_revoke, name="platform_revoke"),
]
