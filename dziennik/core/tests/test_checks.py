import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.test import override_settings

from dziennik.core import audit_roles
from dziennik.core.checks import shared_cache_configured
from dziennik.core.history_checks import history_protected, refuse_unprotected_history


def test_deploy_check_warns_without_a_shared_cache():
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        assert [w.id for w in shared_cache_configured(None)] == ["dziennik.W001"]
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem, DEBUG=False):
        assert [w.id for w in shared_cache_configured(None)] == ["dziennik.W002"]
    redis = {"default": {"BACKEND": "dziennik.core.redis_cache.RedisCache"}}
    with override_settings(CACHES=redis):
        assert shared_cache_configured(None) == []


def test_rules_edited_on_the_schools_screens_are_view_only_in_the_admin(admin_client):
    # the screens check the rules and record the history; the admin must not bypass them
    for url in (
        "/admin/attendance/attendancekind/add/",
        "/admin/attendance/subjectexemption/add/",
        "/admin/timetable/timetableentry/add/",
        "/admin/timetable/timetablechange/add/",
    ):
        assert admin_client.get(url).status_code == 403, url
    assert admin_client.get("/admin/attendance/attendancekind/").status_code == 200


def test_history_check_is_silent_on_sqlite_and_when_the_database_is_unreachable(monkeypatch):
    if connection.vendor == "sqlite":
        assert history_protected(None) == []

    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(audit_roles, "connected_findings", unreachable)
    assert history_protected(None) == []


@pytest.mark.django_db
def test_history_check_is_loud_when_the_role_could_rewrite_the_history():
    if connection.vendor == "postgresql":  # the tests connect as a superuser
        assert "dziennik.E101" in {error.id for error in history_protected(None)}
    else:
        assert history_protected(None) == []


def test_production_refuses_to_start_while_the_history_is_unprotected(monkeypatch):
    findings = [
        audit_roles.Finding("owner", "owns it"),
        audit_roles.Finding("privileges", "may update it"),
    ]
    monkeypatch.setattr(audit_roles, "connected_findings", lambda: findings)
    with override_settings(HISTORY_PROTECTION_REQUIRED=False):
        refuse_unprotected_history()  # development, tests: not asked
    with (
        override_settings(HISTORY_PROTECTION_REQUIRED=True),
        pytest.raises(ImproperlyConfigured) as refused,
    ):
        refuse_unprotected_history()
    assert "dziennik.E101 owns it" in str(refused.value)
    assert "dziennik.E104 may update it" in str(refused.value)
    assert "audit_protect" in str(refused.value)
    silenced = ["dziennik.E101", "dziennik.E104"]
    with override_settings(HISTORY_PROTECTION_REQUIRED=True, SILENCED_SYSTEM_CHECKS=silenced):
        refuse_unprotected_history()
