"""OneRoster 1.2's REST paths (no trailing slash, as the specification writes them)."""

from django.urls import path

from . import apis

app_name = "oneroster_api"

urlpatterns = []
for service in ("rostering", "gradebook"):
    base = f"{service}/v1p2/"
    urlpatterns += [
        path(
            base + "<str:collection>",
            apis.collection,
            {"service": service},
            name=f"{service}_collection",
        ),
        path(
            base + "<str:collection>/<str:sourced_id>",
            apis.single,
            {"service": service},
            name=f"{service}_object",
        ),
        path(
            base + "<str:collection>/<str:sourced_id>/<str:relation>",
            apis.related,
            {"service": service},
            name=f"{service}_related",
        ),
    ]
