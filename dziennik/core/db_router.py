"""Reads of read-only requests from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``;
unset: one database, and nothing here runs). docs/production.md, section 9.

Where each query goes:

* Writes, and every query inside a transaction (``transaction.atomic``: the services,
  ``select_for_update``, the history's hash chain), go to the primary (``default``).
* Sessions, the login lockout (axes), queued tasks, Django's database cache and the users
  (read by the authentication at the start of every request) are always read from the
  primary: they are written on almost every request and read at once.
* Everything else is read from the replica (``replica``), but only in a request that may
  use it (``ReplicaMiddleware``): a GET or HEAD that has written nothing so far. Task
  workers, management commands and the shell read from the primary.

The staleness rule, so that a person sees their own change at once: a request that wrote
to the primary leaves the primary's WAL position (``pg_current_wal_insert_lsn()``, taken
after its commits) in a signed cookie. While the cookie is there, each request of that
browser asks the replica how far it has replayed (``pg_last_wal_replay_lsn()``) and reads
from the primary until the replica has passed the position; then the cookie is deleted.

The page cache (``core.cache``): a cached entry is kept under the versions read at the
start of its build, so it must not be built from a replica that has not yet replayed the
changes those versions stand for (the entry would keep the old data under the new
versions). Before an entry is built in a request reading from the replica, the replica's
replay position is compared with the primary's current one; if it is behind, the rest of
the request reads from the primary.

A replica that cannot be reached (refused, timed out, broken mid-query) is left alone for
``REPLICA_RETRY_AFTER`` seconds in this process: reads go to the primary; a read that the
broken replica failed is tried once more by ``db_faults.DatabaseFaultMiddleware``, which
then finds it set aside.
"""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.checks import Error, register
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created

from .cache import fill_listeners

logger = logging.getLogger("dziennik.database")

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# Read and written on nearly every request, and read at once after the write.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_tasks_db", "django_cache"})
# The user of the session, read by the authentication before any cached entry's versions:
# from the primary, so a page kept in the cache never shows an older user than its
# versions say (``before_cache_fill``).
PRIMARY_ONLY_MODELS = frozenset({"accounts.user"})
# Writes nobody reads back at once, so they do not send the browser to the primary: the
# log of staff reads of a student's pages, written on GET after the page
# (``privacy.middleware``, docs/privacy.md).
NO_READBACK_MODELS = frozenset({"privacy.studentread"})


def _primary_only(model) -> bool:
    return model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in (
        PRIMARY_ONLY_MODELS
    )


SAFE_METHODS = ("GET", "HEAD")
DATABASE_ERRORS = (OperationalError, InterfaceError)
LSN_COOKIE = "dziennik_wal"
LSN_COOKIE_SALT = "dziennik.core.db_router"
LSN_COOKIE_AGE = 60 * 60  # s; a replica an hour behind is broken, not lagging
# The position of the primary after this request's writes; how far the replica replayed
# (on the primary itself, when the "replica" is one by mistake, its own position).
PRIMARY_POSITION = "SELECT pg_current_wal_insert_lsn()"
REPLAYED_POSITION = (
    "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
    "ELSE pg_current_wal_insert_lsn() END"
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def parse_lsn(text: str | None) -> int | None:
    """A WAL position ``"16/B374D848"`` as a number; ``None`` for anything else."""
    match = re.fullmatch(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})", text or "")
    return (int(match[1], 16) << 32) + int(match[2], 16) if match else None


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


# --- a replica that failed ---------------------------------------------------------------

_replica_down_until = 0.0  # time.monotonic() before which this process leaves it alone


def replica_down() -> bool:
    return time.monotonic() < _replica_down_until


def _set_replica_aside(error: BaseException) -> None:
    global _replica_down_until
    if not replica_down():
        logger.warning(
            "Replica unavailable (%s: %s): reading from the primary for %s s",
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
            settings.REPLICA_RETRY_AFTER,
        )
    # Its broken connection is closed at the request's end (or by the read's retry).
    _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_AFTER


def _watch_replica(execute, sql, params, many, context):
    """The replica's execute wrapper: a query it fails sets it aside."""
    try:
        return execute(sql, params, many, context)
    except DATABASE_ERRORS as error:
        _set_replica_aside(error)
        raise


def _add_wrapper(sender, connection, **kwargs) -> None:
    if connection.alias == REPLICA and _watch_replica not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_replica)


def install() -> None:
    """Watch the replica's connection (``CoreConfig.ready``; nothing without a replica)."""
    if replica_configured():
        connection_created.connect(_add_wrapper, dispatch_uid="dziennik-db-router")
        if before_cache_fill not in fill_listeners:
            fill_listeners.append(before_cache_fill)


def _position(alias: str, statement: str) -> int | None:
    with connections[alias].cursor() as cursor:
        cursor.execute(statement)
        return parse_lsn(cursor.fetchone()[0])


def replayed_position() -> int | None:
    """How far the replica has replayed the primary's WAL (``None``: it cannot say)."""
    return _position(REPLICA, REPLAYED_POSITION)


def primary_position() -> int | None:
    return _position(PRIMARY, PRIMARY_POSITION)


def replica_state() -> dict:
    """For ``/readyz``: nothing without a replica; else ``ok`` with how far it has
    replayed, or ``unavailable`` (set aside, or not answering now)."""
    if not replica_configured():
        return {}
    if not replica_down():
        try:
            replayed = replayed_position()
        except DATABASE_ERRORS as error:
            _set_replica_aside(error)
        else:
            return {"replica": "ok", "replica_replayed": format_lsn(replayed or 0)}
    return {"replica": "unavailable"}


# --- the request -------------------------------------------------------------------------


@dataclass(eq=False)
class Route:
    """Where this request's reads may go. ``use_replica``: ``None`` until the first read
    asks (the replica is then checked once), then the answer for the rest."""

    read_only: bool
    wrote: bool = False
    needed: int | None = None  # the person's last write's position (the cookie)
    use_replica: bool | None = None
    caught_up: bool = False  # the replica has passed ``needed``: drop the cookie

    def replica(self) -> bool:
        if not self.read_only or self.wrote or connections[PRIMARY].in_atomic_block:
            return False
        if self.use_replica is None:
            self.use_replica = self._replica_ready()
        return self.use_replica

    def _replica_ready(self) -> bool:
        if replica_down():
            return False
        try:
            if self.needed is None:
                # Connects, or checks a kept connection (CONN_HEALTH_CHECKS).
                with connections[REPLICA].cursor():
                    pass
                return True
            replayed = replayed_position()
        except DATABASE_ERRORS as error:
            _set_replica_aside(error)
            return False
        if replayed is None or replayed < self.needed:
            return False
        self.caught_up = True
        return True


_route: ContextVar[Route | None] = ContextVar("dziennik_db_route", default=None)


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry when a replica is configured (see the module)."""

    def db_for_read(self, model, **hints):
        route = _route.get()
        if route is None or _primary_only(model):
            return PRIMARY
        return REPLICA if route.replica() else PRIMARY

    def db_for_write(self, model, **hints):
        route = _route.get()
        if (
            route is not None
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and model._meta.label_lower not in NO_READBACK_MODELS
        ):
            # From now on this request reads what it wrote, from the primary.
            route.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # One database in two copies: a row read from the replica may point at any other.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica replays the primary's migrations; it cannot be written to.
        return db == PRIMARY


def before_cache_fill() -> None:
    """``core.cache``'s hook before an entry is built: a replica behind the primary does
    not build it (the rest of the request reads from the primary)."""
    route = _route.get()
    if route is None or isinstance(caches["default"], DummyCache) or not route.replica():
        return
    wanted = primary_position()  # the primary failing is the request's 503
    try:
        replayed = replayed_position()
    except DATABASE_ERRORS:  # set aside by ``_watch_replica``
        route.use_replica = False
        return
    if wanted is None or replayed is None or replayed < wanted:
        route.use_replica = False


class ReplicaMiddleware:
    """Sets up the request's ``Route`` and keeps the person's last write's position in a
    cookie (see the module). Just inside ``DatabaseFaultMiddleware``, so a read tried once
    more starts afresh; dropped by Django when no replica is configured."""

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        needed = parse_lsn(
            request.get_signed_cookie(
                LSN_COOKIE, default=None, salt=LSN_COOKIE_SALT, max_age=LSN_COOKIE_AGE
            )
        )
        route = Route(read_only=request.method in SAFE_METHODS, needed=needed)
        token = _route.set(route)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if route.wrote:
            try:
                position = primary_position()
            except DATABASE_ERRORS:
                position = None  # the 503 page tells the person; no cookie to set
            if position is not None:
                response.set_signed_cookie(
                    LSN_COOKIE,
                    format_lsn(max(position, needed or 0)),
                    salt=LSN_COOKIE_SALT,
                    max_age=LSN_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        elif route.caught_up or (needed is None and LSN_COOKIE in request.COOKIES):
            # Passed, or forged/expired: nothing to wait for.
            response.delete_cookie(LSN_COOKIE, samesite="Lax")
        return response


@register()
def replica_is_postgresql(app_configs, **kwargs):
    """A replica only makes sense as a PostgreSQL streaming replica of a PostgreSQL primary."""
    if not replica_configured():
        return []
    engines = {settings.DATABASES[alias]["ENGINE"] for alias in (PRIMARY, REPLICA)}
    if engines != {"django.db.backends.postgresql"}:
        return [
            Error(
                "DATABASE_REPLICA_URL is set, but the primary and the replica are not both "
                "PostgreSQL.",
                hint="The replica is a PostgreSQL streaming replica of DATABASE_URL "
                "(docs/production.md, section 9); unset DATABASE_REPLICA_URL otherwise.",
                id="dziennik.E120",
            )
        ]
    return []
