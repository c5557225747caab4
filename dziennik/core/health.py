"""Readiness for a load balancer (``/readyz``; liveness is ``/healthz``).

Ready means the database answers and every migration of the code is applied. The cache
is reported, never fatal: without it pages are built from the database
(``core.redis_cache``); so is a streaming replica, if one is configured: without it pages
are read from the primary (``core.db_router``). Anonymous, one cheap query (two until the
migrations were once found applied; one more on the replica), never cached, and not in
the way of any limit (docs/production.md, 5b).
"""

from __future__ import annotations

import datetime
import logging

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from . import db_router

logger = logging.getLogger("dziennik.health")

# The code's migrations, read from disk once per process; True once all were applied
# (a migration is never unapplied under a running process).
_code_migrations: set[tuple[str, str]] | None = None
_migrations_applied = False


def _pending_migrations() -> int:
    """How many of the code's migrations the database has not applied."""
    global _code_migrations, _migrations_applied
    if _migrations_applied:
        return 0
    if _code_migrations is None:
        _code_migrations = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cursor.fetchall()}
    pending = len(_code_migrations - applied)
    _migrations_applied = pending == 0
    return pending


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = _pending_migrations()
    except DatabaseError as error:
        return {"database": "unavailable", "error": type(error).__name__}
    if pending:
        return {"database": "ok", "migrations": f"{pending} not applied"}
    return {"database": "ok", "migrations": "ok"}


def _cache() -> dict:
    backend = caches["default"]
    state = getattr(backend, "state", None)
    if state is None:
        return {"cache": type(backend).__name__}
    found = state()
    if found.available:
        return {"cache": "ok"}
    since = datetime.datetime.fromtimestamp(found.down_since, tz=datetime.UTC)
    return {"cache": "unavailable", "cache_down_since": since.isoformat(timespec="seconds")}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when this process can serve the register, 503 when it cannot (the body says
    why); the cache's state is in the body either way."""
    report = _database()
    ready = report.get("database") == "ok" and report.get("migrations") == "ok"
    report["status"] = "ready" if ready else "not ready"
    report.update(_cache())
    report.update(db_router.replica_state())
    return JsonResponse(report, status=200 if ready else 503)
