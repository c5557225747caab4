"""Liveness (``/healthz``) and readiness (``/readyz``) for a load balancer."""

from django.db import connection
from django.test import Client
from django.urls import reverse

from dziennik.core import health


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


def test_not_ready_while_a_migration_is_not_applied(db, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)  # as in a fresh process
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'grades'")
        removed = cursor.rowcount
    response = Client().get(reverse("core:readyz"))
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["migrations"] == f"{removed} not applied"
