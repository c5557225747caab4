"""The loud side of cache upkeep (DEBUG and tests only, ``CACHE_WRITE_GUARD``).

Cached pages move on when their scopes' versions move (``core.cache``): register data
through the history (``core.audit`` bumps the student and class of every entry), the
configuration through its models' signals. A write that goes around both – a raw
``save()`` without a history entry, a ``bulk_create``, ``update()`` or ``delete()`` of a
queryset, raw SQL – would leave every cached page that shows it stale, silently. This
guard makes such a write fail where it is made:

* it watches every statement that writes to a table of register data (any model with a
  foreign key to a student or a class, but the history and the grade page's visit mark)
  or of configuration (``core.apps.CONFIG_MODELS``), through the database connection's
  execute wrapper, so no way of writing escapes it; and every ``save()`` of register
  data, which tells it the row's student, class and school;
* within one transaction, the outermost ``atomic`` block (in tests: the outermost block
  of the code under test, inside the test's own transaction), a saved row needs a bump of
  its student's, its class's or its school's configuration scope, any other written row
  of register data needs some bump, a written configuration row a bump of a
  configuration scope; a row of a subject (``core.cache.register_subject_models``: a
  grade, a column, a term grade) needs its subject's scope (the student's, or for a
  column the class's, ``core.cache.subject_scope``) or its school's configuration scope,
  and any other write to their tables a bump of some subject or configuration scope
  (the grade overview keeps its rows per subject);
* at the end of that block a write left without its bump raises ``UnrecordedWrite``,
  naming it: in tests before its savepoint is released (the test's transaction rolls it
  back), in DEBUG just after the commit (Django has no hook before it: written, but
  loud).

Writes outside any transaction are not checked: in tests they are the factories building
the test's world (the services always write in a transaction). A statement that changes
no row, an update of only quiet fields (``core.apps.QUIET_FIELDS``: a login) and a
``DELETE`` of a whole table (the test runner emptying the database between live-server
tests) are not writes to guard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save

from . import cache
from .cache import (
    Scope,
    class_subject_scope,
    config_scope,
    data_scope,
    quiet_fields,
    student_scope,
    subject_scope,
)

REGISTER = "register data"
CONFIG = "configuration"

_WRITE = re.compile(
    r'\s*(?P<verb>INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?P<table>\w+)"?',
    re.IGNORECASE,
)
_RELEASE = re.compile(r'\s*RELEASE\s+SAVEPOINT\s+"?(?P<sid>\w+)"?', re.IGNORECASE)
_SET_COLUMN = re.compile(r'(?:\bSET|,)\s*"(\w+)"\s*=')


class UnrecordedWrite(AssertionError):
    """A transaction wrote data that cached pages show without moving their versions."""


@dataclass(frozen=True)
class _Table:
    kind: str
    quiet_columns: frozenset[str] = frozenset()


# table name -> what it holds; model -> the attributes naming a saved row's scopes
_tables: dict[str, _Table] = {}
_row_scopes: dict[type[models.Model], tuple[str, ...]] = {}


@dataclass(eq=False)
class _Ledger:
    """What one transaction wrote and bumped so far."""

    top_sid: str | None  # the savepoint of the checked block; None: a real transaction
    rows: list[tuple[str, object, frozenset[Scope]]] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)
    bumped: set[Scope] = field(default_factory=set)
    closed: bool = False

    def alive(self, connection, *, releasing: bool = False) -> bool:
        """Still the current transaction's: neither checked nor rolled back (a rollback
        drops the check that ``on_commit`` holds). While its savepoint is being released
        it is no longer on the connection's stack, but still alive."""
        if self.closed:
            return False
        released = self.top_sid is not None and self.top_sid not in connection.savepoint_ids
        if released and not releasing:
            return False
        return any(func == self.finish for _sids, func, _robust in connection.run_on_commit)

    def problems(self) -> list[str]:
        found = [
            f"{label} {pk}: none of {sorted(scopes, key=str)} was bumped"
            for label, pk, scopes in self.rows
            if not _covered(scopes, self.bumped)
        ]
        subject_tables = _subject_tables()
        for table, kind in sorted(self.tables.items()):
            if kind == REGISTER and not self.bumped:
                found.append(f"table {table}: rows of register data written, nothing bumped")
            elif table in subject_tables and not any(s[0] in _SUBJECT_KINDS for s in self.bumped):
                found.append(f"table {table}: rows of a subject written, no subject bumped")
            if kind == CONFIG and not any(s[0] == "config" for s in self.bumped):
                found.append(f"table {table}: configuration written, no configuration bumped")
        return found

    def finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        problems = self.problems()
        if problems:
            raise UnrecordedWrite(
                "A transaction changed what cached pages show without moving their cache "
                "versions. Record the change in the history (core.audit) or, for derived "
                "data and bulk writes, call core.cache.bump(...) in the same transaction. (A "
                "test calling code that opens no transaction of its own sees it checked at "
                "the end of the first atomic block inside, e.g. update_or_create's.)\n  "
                + "\n  ".join(problems)
            )


def _checked_block(connection) -> tuple[bool, str | None]:
    """Whether the code runs inside a transaction to check, and the savepoint of its
    outermost block (``None`` when that block is the real transaction). The blocks a
    test case opens around a test are the test's, not the code's."""
    blocks = connection.atomic_blocks
    offset = len(blocks) - len(connection.savepoint_ids)
    for index, block in enumerate(blocks):
        if block._from_testcase:
            continue
        if index - offset < 0:
            return True, None
        sid = connection.savepoint_ids[index - offset]
        if sid is not None:
            return True, sid
    return False, None


def _ledger(connection) -> _Ledger | None:
    """The current transaction's ledger, started on first use; ``None`` outside one."""
    checked, top_sid = _checked_block(connection)
    if not checked:
        return None
    ledger = getattr(connection, "dziennik_cache_ledger", None)
    if ledger is None or not ledger.alive(connection):
        ledger = _Ledger(top_sid)
        connection.on_commit(ledger.finish)
        connection.dziennik_cache_ledger = ledger
    return ledger


# --- what is written ------------------------------------------------------------------


def _row_saved(sender, instance, update_fields=None, raw=False, using=None, **kwargs) -> None:
    if raw:
        return
    if cache.is_quiet(sender, update_fields):
        return
    ledger = _ledger(connections[using or DEFAULT_DB_ALIAS])
    if ledger is None:
        return
    if cache.has_subject(sender):
        scopes = _subject_row_scopes(instance)
    else:
        scopes = set()
        for attname in _row_scopes[sender]:
            value = getattr(instance, attname)
            if value is not None:
                scopes.add(_SCOPE_OF[attname](value))
    ledger.rows.append((sender._meta.label, instance.pk, frozenset(scopes)))


_SCOPE_OF = {"student_id": student_scope, "school_class_id": data_scope, "school_id": config_scope}
_SUBJECT_KINDS = ("subject", "class-subject", "config")
_ANY = "*"  # a subject not known without a query (a grade whose column is not loaded)


def _subject_row_scopes(instance) -> set[Scope]:
    """What a saved row of a subject needs bumped: its subject's scope (the student's,
    or a column's class's) or its school's configuration."""
    subject_id = cache.loaded_subject_of(instance) or _ANY
    student_id = getattr(instance, "student_id", None)
    scopes = {config_scope(instance.school_id)}
    if student_id is not None:
        scopes.add(subject_scope(student_id, subject_id))
    elif getattr(instance, "school_class_id", None) is not None:
        scopes.add(class_subject_scope(instance.school_class_id, subject_id))
    return scopes


def _covered(needed: frozenset[Scope], bumped: set[Scope]) -> bool:
    if needed & bumped:
        return True
    wild = {s[:2] for s in needed if s[-1] == _ANY}
    return bool(wild) and any(s[:2] in wild for s in bumped if len(s) == 3)


def _subject_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in cache._subject_of)


def _is_guarded(sql: str, match: re.Match, table: _Table) -> bool:
    verb = match["verb"].upper()
    if verb.startswith("DELETE") and not re.search(r"\bWHERE\b", sql, re.IGNORECASE):
        return False  # a whole table emptied: the test runner's flush
    if verb == "UPDATE" and table.quiet_columns:
        head = re.split(r"\bWHERE\b", sql, maxsplit=1, flags=re.IGNORECASE)[0]
        return not set(_SET_COLUMN.findall(head)) <= table.quiet_columns
    return True


def _watch(execute, sql, params, many, context):
    """The execute wrapper: every statement of the connection passes here."""
    connection = context["connection"]
    released = _RELEASE.match(sql)
    if released:
        ledger = getattr(connection, "dziennik_cache_ledger", None)
        if (
            ledger is not None
            and ledger.top_sid == released["sid"]
            and ledger.alive(connection, releasing=True)
        ):
            ledger.finish()  # before the release: an error leaves the savepoint to roll back
        return execute(sql, params, many, context)
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql)
    if match:
        table = _tables.get(match["table"])
        if table is not None and context["cursor"].rowcount != 0 and _is_guarded(sql, match, table):
            ledger = _ledger(connection)
            if ledger is not None:
                ledger.tables[match["table"]] = table.kind
    return result


def _bumped(scopes: frozenset[Scope]) -> None:
    ledger = _ledger(connections[DEFAULT_DB_ALIAS])
    if ledger is not None:
        ledger.bumped |= scopes


# --- installation -----------------------------------------------------------------------


def register_models(
    config_models: Iterable[type[models.Model]],
    ignored: Iterable[type[models.Model]],
    anchors: Iterable[type[models.Model]],
) -> list[type[models.Model]]:
    """Note the tables to watch; returns the models of register data found: those with a
    foreign key to one of ``anchors`` (student, class) that are neither configuration nor
    ``ignored``."""
    config_models, ignored, anchors = set(config_models), set(ignored), set(anchors)
    register = []
    for model in _all_models():
        if model in config_models:
            kind = CONFIG
        elif model in ignored or model._meta.app_label == "core":
            continue
        elif any(
            f.many_to_one and f.concrete and f.related_model in anchors
            for f in model._meta.get_fields()
        ):
            kind = REGISTER
            register.append(model)
        else:
            continue
        quiet = frozenset(
            model._meta.get_field(name).column for name in quiet_fields.get(model, ())
        )
        _tables[model._meta.db_table] = _Table(kind, quiet)
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created and (
                kind == REGISTER or m2m.related_model in config_models
            ):
                _tables[m2m.remote_field.through._meta.db_table] = _Table(kind)
    for model in register:
        _row_scopes[model] = tuple(
            name
            for name in ("student_id", "school_class_id", "school_id")
            if any(getattr(f, "attname", None) == name for f in model._meta.concrete_fields)
        )
    return register


def _all_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("dziennik.")]


def _add_wrapper(connection, **kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install(
    *,
    config_models: Iterable[type[models.Model]],
    ignored: Iterable[type[models.Model]],
    anchors: Iterable[type[models.Model]],
) -> None:
    """Switch the guard on (``CoreConfig.ready`` with ``CACHE_WRITE_GUARD``)."""
    for model in register_models(config_models, ignored, anchors):
        post_save.connect(_row_saved, sender=model, dispatch_uid=f"cache-guard-{model._meta}")
    if _bumped not in cache.bump_listeners:
        cache.bump_listeners.append(_bumped)
    connection_created.connect(_add_wrapper, dispatch_uid="cache-guard-wrapper")
    for connection in connections.all(initialized_only=True):
        _add_wrapper(connection)
