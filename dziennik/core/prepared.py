"""Reads whose SQL is built once: the hot reads of the grade and attendance pages.

Building a query with the ORM (filters, joins, the compiler) costs more CPU than the
database spends answering it on a page built afresh after a new grade. A ``Prepared``
read builds its queryset once per database and *shape* (the length of each list
argument), with stand-in values for its arguments, keeps the compiled SQL and the
places of the stand-ins among its parameters, and then runs that SQL with the real
values: the same SQL, parameters, rows and conversions (``results_iter``) as the
queryset would give, without building it again.

Only for querysets whose arguments appear in the SQL's parameters as given (ids,
lists of ids, a text given to a text column) or as the database's form of a date (a
``datetime.date``, given to a date field: the date itself or its ISO text, as the
backend adapts it) or of an aware date and time (given to a datetime field: itself, or
SQLite's text of it in UTC): a value the ORM would rewrite otherwise (a model, a date
given to a datetime field) is not found among the parameters, and ``Prepared`` raises
``ValueError`` the first time it compiles.

On PostgreSQL the read is also a server-side prepared statement: Django's psycopg cursor
binds the parameters on the client, so the server would parse and plan the same SQL
afresh on every request; a ``Prepared`` read runs instead on a cursor that binds on the
server and prepares its statement at once (``prepare=True``: psycopg keeps the
connection's prepared statements, ``Connection.prepared_max`` of them, for as long as
the connection lives, so with ``CONN_MAX_AGE`` a statement is planned once per
connection and shape). The cursor is wrapped as Django wraps its own
(``make_cursor``/``make_debug_cursor``): ``execute_wrappers`` (the replica's watch, the
cache guard), the query log and ``django_assert_num_queries`` see the read as any other
query, errors come as Django's. ``settings.DB_SERVER_PREPARED = False`` (behind a pooler
in transaction mode, whose server connections change under a client) keeps Django's
cursor; SQLite always does.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import QuerySet

# Stand-ins no id takes (negative, and far from any literal a query carries); a date's:
# days of the year 1111, which no register holds.
_BASE = -7_310_000_000_000_000_000
_DATE_BASE = datetime.date(1111, 1, 1)
_MOMENT_BASE = datetime.datetime(1111, 1, 1, tzinfo=datetime.UTC)
DATE = "date"  # a date argument's place in a shape
TEXT = "text"  # a text argument's (given to a text column as it is)
MOMENT = "moment"  # an aware date and time's (given to a datetime field)


class _Stand:
    """The stand-ins of one shape: an int per argument, a list of ints per list argument,
    a date, a text or an aware date and time per argument of those kinds. ``where`` maps
    each stand-in, in the form the ORM gives it to the database, to its argument's place
    (and, for a form the argument must be given in too, that form's name)."""

    def __init__(self, shape: tuple[int | str | None, ...], alias: str | None = None):
        self.values: list[Any] = []
        self.where: dict[Any, tuple] = {}
        n = 0
        for i, length in enumerate(shape):
            if length == TEXT:
                text = f"\x00prepared-{n}"
                self.values.append(text)
                self.where[text] = (i, None)
                n += 1
            elif length == MOMENT:
                moment = _MOMENT_BASE + datetime.timedelta(days=n)
                self.values.append(moment)
                # as the ORM gives it: PostgreSQL's as it is, SQLite's as UTC text
                adapted = connections[alias].ops.adapt_datetimefield_value(moment)
                self.where[adapted] = (i, None) if adapted is moment else (i, None, "moment")
                n += 1
            elif length == DATE:
                day = _DATE_BASE + datetime.timedelta(days=n)
                self.values.append(day)
                self.where[day] = (i, None)
                self.where[day.isoformat()] = (i, None, "iso")  # SQLite's form of it
                n += 1
            elif length is None:
                self.values.append(_BASE - n)
                self.where[_BASE - n] = (i, None)
                n += 1
            else:
                items = []
                for j in range(length):
                    items.append(_BASE - n)
                    self.where[_BASE - n] = (i, j)
                    n += 1
                self.values.append(items)


class Prepared:
    """``Prepared(lambda student_id, term_ids: Model.objects.filter(...).values_list(...))``:
    calling it with the arguments gives the rows (tuples, converted as the queryset's)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self.model = None
        self._compiled: dict[tuple, tuple | None] = {}

    def _compile(self, alias: str, shape: tuple) -> tuple | None:
        stand = _Stand(shape, alias)
        queryset = self.build(*stand.values)
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # ``__in`` an empty list: no rows, as the queryset says
            return None
        places = []
        found = set()
        for param in params:
            place = stand.where.get(param) if isinstance(param, int | str | datetime.date) else None
            places.append(place)
            if place is not None:
                found.add(place[:2])
        if len(found) != len({place[:2] for place in stand.where.values()}):
            raise ValueError("an argument of a prepared read is not a parameter of its SQL")
        # the queryset's conversions (``results_iter``'s), looked up once: what each
        # column's field and the backend convert (SQLite's decimals and datetimes, ...)
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("a prepared read cannot select a composite primary key")
        converters = compiler.get_converters(fields)
        return sql, tuple(params), tuple(places), compiler, converters

    def __call__(self, *args: Any) -> list[tuple]:
        shape = tuple(_kind(a) for a in args)
        if self.model is None:
            self.model = self.build(*_Stand(shape, DEFAULT_DB_ALIAS).values).model
        alias = router.db_for_read(self.model)
        key = (alias, shape)
        if key not in self._compiled:
            self._compiled[key] = self._compile(alias, shape)
        compiled = self._compiled[key]
        if compiled is None:
            return []
        sql, constant, places, compiler, converters = compiled
        connection = connections[alias]
        params = [
            value if place is None else _pick(args, place, connection)
            for value, place in zip(constant, places, strict=True)
        ]
        with _cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows if type(rows) is list else list(rows)
        # the queryset's conversions (SQLite's decimals and datetimes, the time zone)
        return list(map(tuple, compiler.apply_converters(rows, converters)))


def _kind(arg: Any) -> int | str | None:
    """An argument's part of a read's shape: a list's length, or its kind."""
    if isinstance(arg, list | tuple):
        return len(arg)
    if type(arg) is datetime.date:
        return DATE
    if type(arg) is str:
        return TEXT
    if type(arg) is datetime.datetime:
        if arg.tzinfo is None:  # the ORM would make it aware, with a warning
            raise ValueError("a prepared read takes aware dates and times only")
        return MOMENT
    return None


def _pick(args: Sequence[Any], place: tuple, connection) -> Any:
    if len(place) == 3:  # a date as its ISO text, a date and time as SQLite's text
        value = args[place[0]]
        if place[2] == "moment":
            return connection.ops.adapt_datetimefield_value(value)
        return value.isoformat()
    i, j = place
    return args[i] if j is None else args[i][j]


def _cursor(connection):
    """Django's cursor, or on PostgreSQL one that binds on the server and prepares."""
    if connection.vendor != "postgresql" or not getattr(settings, "DB_SERVER_PREPARED", True):
        return connection.cursor()
    connection.close_if_health_check_failed()  # as Django's ``_cursor`` does
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off (poolers); its own cursor binds on the
        # client and never prepares: a threshold no query reaches, only ours ask
        raw.prepare_threshold = _ASKED_ONLY
    with connection.wrap_database_errors:
        cursor = _PreparingCursor(raw)
        # the time zone of the rows, as Django's ``create_cursor`` registers it
        loader = raw.adapters.get_loader(_TIMESTAMPTZ_OID, _TEXT)
        if connection.timezone != loader.timezone:
            _register_tzloader(connection.timezone, cursor)
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return _DebugWrapper(cursor, connection)
    return connection.make_cursor(cursor)


try:
    import psycopg
    from django.db.backends.postgresql.base import CursorDebugWrapper
    from django.db.backends.postgresql.psycopg_any import register_tzloader as _register_tzloader
    from django.db.backends.utils import CursorWrapper
    from psycopg.pq import Format

    _TEXT = Format.TEXT
    _ASKED_ONLY = 2**31 - 1
    _TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid

    class _PreparingCursor(psycopg.Cursor):
        """A cursor binding on the server whose every statement is prepared at once."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    class _DebugWrapper(CursorDebugWrapper):
        """Django's query log, the query written with its values as Django's cursor
        gives it (``compose_sql``, as for its server-binding cursors)."""

        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params)):
                return CursorWrapper.execute(self, sql, params)

except ImportError:  # no psycopg: SQLite only
    pass
