"""Liveness (``/healthz``) and readiness (``/readyz``) for a load balancer."""

from django.test import Client
from django.urls import reverse


def test_readiness_reports_database_migrations_and_cache(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = Client().get(reverse("core:readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "migrations": "ok",
        "status": "ready",
        "cache": "LocMemCache",
    }
    assert "no-cache" in response["Cache-Control"]
    with django_assert_max_num_queries(1):  # migrations found applied once: not asked again
        assert Client().get(reverse("core:readyz")).status_code == 200


def test_liveness_touches_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Client().get(reverse("portal:healthz")).status_code == 200
