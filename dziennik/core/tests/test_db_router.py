"""The replica router's configuration: absent, it changes nothing; present, it routes as
``core.db_router`` says. Its behaviour against a real streaming replica is tested in
``test_replica.py``."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory

from dziennik.core import db_router
from dziennik.core.db_router import ReplicaMiddleware, ReplicaRouter, format_lsn, parse_lsn
from testsupport.faults import PYTHON, ROOT, app_env


def test_without_a_replica_there_is_one_database_and_no_router():
    assert list(settings.DATABASES) == ["default"]
    assert settings.DATABASE_ROUTERS == []
    with pytest.raises(MiddlewareNotUsed):
        ReplicaMiddleware(lambda request: HttpResponse())


@pytest.mark.parametrize(
    ("text", "position"),
    [("0/0", 0), ("0/16B3748", 0x16B3748), ("16/B374D848", (0x16 << 32) + 0xB374D848)],
)
def test_wal_positions_are_read_and_written_back(text, position):
    assert parse_lsn(text) == position
    assert format_lsn(position) == text


@pytest.mark.parametrize("text", [None, "", "16", "16/", "x/1", "1/2/3", "123456789/0", "1/2 "])
def test_anything_else_is_no_wal_position(text):
    assert parse_lsn(text) is None


def test_the_router_outside_a_request_uses_the_primary_and_migrates_only_there():
    router = ReplicaRouter()
    from dziennik.grades.models import Grade

    assert router.db_for_read(Grade) == "default"
    assert router.db_for_write(Grade) == "default"
    assert router.allow_migrate("default", "grades") is True
    assert router.allow_migrate("replica", "grades") is False


def _settings_with_replica(database_url: str, replica_url: str) -> dict:
    env = app_env(database_url)
    env["DATABASE_REPLICA_URL"] = replica_url
    code = (
        "import json; from django.conf import settings; "
        "from django.core.management import call_command; "
        "r = settings.DATABASES['replica']; "
        "print(json.dumps({'replica': {k: r[k] for k in ('ENGINE', 'NAME', 'PORT', "
        "'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS')}, 'mirror': r['TEST']['MIRROR'], "
        "'routers': settings.DATABASE_ROUTERS, 'middleware': settings.MIDDLEWARE[:2]}))"
    )
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_replica_url_adds_the_replica_the_router_and_the_middleware():
    found = _settings_with_replica(
        "postgres://dziennik@127.0.0.1:5432/dziennik", "postgres://dziennik@10.0.0.2:5433/dziennik"
    )
    assert found["replica"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "dziennik",
        "PORT": 5433,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 2},
    }
    # The tests' replica is the test database itself.
    assert found["mirror"] == "default"
    assert found["routers"] == ["dziennik.core.db_router.ReplicaRouter"]
    assert found["middleware"] == [
        "dziennik.core.db_faults.DatabaseFaultMiddleware",
        "dziennik.core.db_router.ReplicaMiddleware",
    ]


def test_a_replica_of_sqlite_is_refused_by_the_checks(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env["DATABASE_REPLICA_URL"] = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "dziennik.E120" in done.stderr


def test_the_cookie_of_a_write_is_signed_and_a_forged_one_is_dropped(settings):
    """A browser cannot make its own reads wait on a made-up position: an unsigned value
    counts for nothing and is deleted."""
    with pytest.warns(UserWarning, match="Overriding setting DATABASES"):
        settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    middleware = ReplicaMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    request.COOKIES[db_router.LSN_COOKIE] = "FFFFFFFF/FFFFFFFF"
    response = middleware(request)
    assert response.cookies[db_router.LSN_COOKIE].value == ""
    assert response.cookies[db_router.LSN_COOKIE]["max-age"] == 0
