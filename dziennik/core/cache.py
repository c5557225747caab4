"""Versioned caching of computed views of register data.

A cached entry is never invalidated by deleting it. It is kept with the digest of the
current *versions* of the data it was computed from, and every write that changes such
data *bumps* the version, so the next read finds a digest that is not the current one
and builds the entry again (in its place). Entries simply age out (``ENTRY_TIMEOUT``).
A request reads versions and entries in as few round trips as it can: what it read is
remembered for the request, and what it declares it is about to read (``read_ahead``,
``reads_ahead``) comes with its next round trip.

Scopes (what a version stands for), all of them within one school:

- ``config_scope(school_id)``: the structure of one school – users' roles, classes,
  enrolments, guardianships, subjects, teaching assignments, timetables, grading and
  attendance rules. Bumped by ``post_save``/``post_delete`` of those models
  (``register_config_models``, the table ``core.apps.CONFIG_MODELS`` says how each row
  finds its school), so admin edits are covered too; bulk writes bump it themselves.
  A row without a school (a superuser without one) bumps ``config_scope(None)``, the
  scope of the users without a school: no school's pages show such a user.
- ``data_scope(class_id)`` and ``student_scope(student_id)``: a class's or a student's
  register data (grades, attendance, topics, justifications…). Every service that writes
  records the change in the history (``core.audit``) with the class and student it
  concerns, and recording it bumps these versions – one hook for all apps. A write that
  skips it fails the tests (``core.cache_guard``).
- ``subject_scope(student_id, subject_id)`` and ``class_subject_scope(class_id,
  subject_id)``: one student's, or a whole class's, register data in one subject (grades,
  columns, term and final grades). Moved by the same hook, when the recorded row has a
  subject (``register_subject_models``: a grade's is its column's); a page kept per
  subject (the grade overview's rows) depends on these and the configuration only, so a
  new grade rebuilds one subject's part.

A bump happens at once *and* again when the transaction commits: a reader who read the
old data between the two gets a key that is already out of date at the second bump.

An entry is kept under a key without versions, with the digest of the versions it was
built at, and of its *shape* (``cached(..., shape=)``, ``cached_parts(..., shape=)``): the
number of the form of what it holds. Move the shape (1, 2, 3…) when what the entry holds
changes shape (a tuple gains an item, a dict becomes a row written): during a release the
processes of the old code and of the new run side by side on one cache, under the same
keys and versions, and neither then takes the other's entries for current – each builds
its own in their place. The key stays as it is (it is read ahead, ``read_ahead``). A
whole page (``cached_page``) holds its content and content type, a shape that does not
move.

Whole pages are declared with ``PageCache`` next to their view: what authorizes the
viewer, which scopes the page is computed from, what else tells two copies apart.

Without a shared cache (``CACHE_URL`` unset in production: ``DummyCache``) every version
is new on every read, so nothing is ever served from the cache – slower, never stale.
"""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from .redis_cache import OUTAGE_EPOCH_KEY

ENTRY_TIMEOUT = 60 * 60
Scope = tuple


def config_scope(school_id: int | None) -> Scope:
    """The cache scope of one school's configuration (``None``: users without a school)."""
    return ("config", school_id)


def data_scope(school_class_id: int) -> Scope:
    """The cache scope of a class's register data (grades, attendance, topics…)."""
    return ("data", school_class_id)


def student_scope(student_id: int) -> Scope:
    """The cache scope of one student's register data."""
    return ("student", student_id)


def subject_scope(student_id: int, subject_id: int) -> Scope:
    """The cache scope of one student's register data in one subject."""
    return ("subject", student_id, subject_id)


def class_subject_scope(school_class_id: int, subject_id: int) -> Scope:
    """The cache scope of a class's register data in one subject (its columns)."""
    return ("class-subject", school_class_id, subject_id)


# --- one app's share of a student's or a class's register data ------------------------
#
# A recorded change (``core.audit``) moves the student's and the class's scopes and also
# their share of the app whose row it recorded (``app_part_scope``: a grade moves
# ``("student-in", 7, "grades")``, not the attendance's). Any other bump of a student's
# or a class's scope (derived data, bulk writes, whose app the bump does not say) moves
# their ``any_part_scope`` as well, which every share depends on. So a part of a page
# that shows one app's data only (a home panel) is kept per ``app_scopes(app, scopes)``:
# a new grade does not rebuild the attendance panel, and nothing that moves a student's
# scope any other way leaves it stale.

_SHARED = frozenset({"student", "data"})


def app_part_scope(scope: Scope, app_label: str) -> Scope:
    """``app_label``'s share of a student's or a class's data scope."""
    return (f"{scope[0]}-in", *scope[1:], app_label)


def any_part_scope(scope: Scope) -> Scope:
    """What every share of a student's or a class's data scope also depends on: moved by
    any bump of that scope but the recorded changes' (``bump_recorded``)."""
    return (f"{scope[0]}-any", *scope[1:])


def app_scopes(app_label: str, scopes: Iterable[Scope]) -> tuple[Scope, ...]:
    """``scopes`` narrowed to ``app_label``'s data: each student's or class's data scope
    becomes that app's share of it and its ``any_part_scope``; the others stay."""
    narrowed: list[Scope] = []
    for scope in scopes:
        if scope[0] in _SHARED:
            narrowed += [app_part_scope(scope, app_label), any_part_scope(scope)]
        else:
            narrowed.append(scope)
    return tuple(dict.fromkeys(narrowed))


# --- one month's share of an app's data ------------------------------------------------
#
# An app whose rows carry dates (``register_dated_models``: an attendance mark's day, a
# justification's range) has its share of a student's or a class's data split further
# per month: a recorded change of such a row moves the share of each month its dates
# fall in, before and after the change (a lesson moved between dates: both months). A
# change of that app whose months are not known (a recorded row without dates, a
# ``bump_in`` that names none) moves ``all_months_scope``, which every month's share
# depends on, as does ``any_part_scope``. So a part of a page kept per month
# (``month_scopes``) is rebuilt when that month changes, not when today's does.

_dated: dict[type[models.Model], tuple[tuple[str, str], ...]] = {}
_dated_apps: set[str] = set()


def month_part_scope(scope: Scope, app_label: str, month: str) -> Scope:
    """``app_label``'s share of a student's or a class's data in one ``month``
    (``"2026-09"``)."""
    return (f"{scope[0]}-in", *scope[1:], app_label, month)


def all_months_scope(scope: Scope, app_label: str) -> Scope:
    """What every month's share of ``app_label``'s data also depends on: moved by a
    change of that app's data whose months are not known."""
    return (f"{scope[0]}-in-months", *scope[1:], app_label)


def month_scopes(app_label: str, scopes: Iterable[Scope], month: str) -> tuple[Scope, ...]:
    """``scopes`` narrowed to ``app_label``'s data of one ``month``: each student's or
    class's data scope becomes that month's share, ``all_months_scope`` and
    ``any_part_scope``; the others stay."""
    narrowed: list[Scope] = []
    for scope in scopes:
        if scope[0] in _SHARED:
            narrowed += [
                month_part_scope(scope, app_label, month),
                all_months_scope(scope, app_label),
                any_part_scope(scope),
            ]
        else:
            narrowed.append(scope)
    return tuple(dict.fromkeys(narrowed))


# The models of a dated app whose rows a page shows apart from its months (a student's
# justifications, warnings, announced absences): a recorded change of such a row also
# moves ``model_part_scope``, so that part is kept while the marks of a month change.
_apart: set[str] = set()


def model_part_scope(scope: Scope, model_label: str) -> Scope:
    """The share of a student's or a class's data in one model's rows (``"app.model"``,
    a model of ``register_apart_models``)."""
    return (f"{scope[0]}-of", *scope[1:], model_label)


def rows_scopes(models_: Iterable[str], scopes: Iterable[Scope]) -> tuple[Scope, ...]:
    """``scopes`` narrowed to the rows of ``models_`` (of one dated app): each student's or
    class's data scope becomes each model's share, the app's ``all_months_scope`` and
    ``any_part_scope``; the others stay."""
    models_ = tuple(models_)
    narrowed: list[Scope] = []
    for scope in scopes:
        if scope[0] in _SHARED:
            narrowed += [model_part_scope(scope, label) for label in models_]
            narrowed += {all_months_scope(scope, label.partition(".")[0]) for label in models_}
            narrowed.append(any_part_scope(scope))
        else:
            narrowed.append(scope)
    return tuple(dict.fromkeys(narrowed))


def register_apart_models(models_: Iterable[type[models.Model]]) -> None:
    """Models of a dated app (``register_dated_models``) whose recorded changes move their
    own share too (``model_part_scope``)."""
    for model in models_:
        if model._meta.app_label not in _dated_apps:
            raise ValueError(f"{model._meta.label}: its app has no dated models")
        _apart.add(model._meta.label_lower)


def month_of(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def register_dated_models(table: Mapping[type[models.Model], str]) -> None:
    """The models whose recorded changes move month shares (``month_part_scope``), each
    with its date field (``"date"``) or range (``"date_from..date_to"``)."""
    for model, spec in table.items():
        first, _sep, last = spec.partition("..")
        model._meta.get_field(first)
        model._meta.get_field(last or first)
        _dated[model] = ((first, last or first),)
        _dated_apps.add(model._meta.app_label)


def months_of(instance: models.Model, changes: Mapping[str, Any] | None = None) -> frozenset | None:
    """The months a recorded change of ``instance`` touches: those of its dates now and,
    from ``changes`` (``{field: [old, new]}``, dates as ISO text), before and after (an
    entry may be built before the row changes); ``None`` for a row of a model without
    dates."""
    ranges = _dated.get(instance._meta.concrete_model)
    if ranges is None:
        return None
    months: set[str] = set()
    for first, last in ranges:
        now = (getattr(instance, first), getattr(instance, last))
        spans = [now]
        for side in (0, 1):  # the values before and after the change, as recorded
            values = [(changes or {}).get(name, [None, None])[side] for name in (first, last)]
            values = [datetime.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
            spans.append((values[0] or now[0], values[1] or now[1]))
        for start, end in spans:
            if isinstance(start, datetime.date) and isinstance(end, datetime.date):
                months.update(_months_between(min(start, end), max(start, end)))
    return frozenset(months)


def _months_between(start: datetime.date, end: datetime.date) -> list[str]:
    year, month, found = start.year, start.month, []
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


# The version every cached entry carries besides its own scopes: moved when the cache
# comes back after an outage, during which other bumps were lost (``core.redis_cache``).
EPOCH_SCOPE: Scope = ("epoch",)


# Versions already read during this request (set up by ``RequestVersionsMiddleware``):
# a page asks for its school's configuration several times, the cache server is asked once.
_request_versions: ContextVar[dict | None] = ContextVar("request_versions", default=None)

# Entries read during this request (key → value, ``_ABSENT`` when not in the cache) and
# the keys to read with the request's next cache round trip (``read_ahead``), set up by
# ``RequestVersionsMiddleware`` as well.
_request_reads: ContextVar[_Reads | None] = ContextVar("request_reads", default=None)
_ABSENT = object()


@dataclass
class _Reads:
    found: dict[str, Any] = field(default_factory=dict)
    ahead: dict[str, None] = field(default_factory=dict)  # an ordered set
    # plain keys read ahead: taken once (``take``), their values are not versioned
    plain: set[str] = field(default_factory=set)


# Whoever must hear of every bump (``core.cache_guard`` in DEBUG and tests).
bump_listeners: list[Callable[[frozenset[Scope]], None]] = []
# Whoever must hear that an entry is about to be built, after its versions were read
# (``core.db_router``: not from a replica that has not yet replayed what they stand for).
fill_listeners: list[Callable[[], None]] = []
# Whoever reads something for every page built afresh (``portal``: the layout's top bar),
# told before a kept page is rendered so that it can ``read_ahead``.
render_listeners: list[Callable[[HttpRequest], None]] = []


class RequestVersionsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_versions.set({})
        reads = _request_reads.set(_Reads())
        try:
            return self.get_response(request)
        finally:
            _request_reads.reset(reads)
            _request_versions.reset(token)


class Plain(str):
    """The key of a plain value (not versioned) to ``read_ahead``; ``take`` reads it."""


def read_ahead(*wanted: str | Scope) -> None:
    """Say what this request is about to read: entries of ``cached`` (their keys),
    versions (scopes) and plain values (``Plain`` keys, read with ``take``). They are
    fetched with the request's next cache round trip that goes to the server anyway, so
    that several reads cost one. Outside a request: nothing."""
    reads = _request_reads.get()
    if reads is None:
        return
    memo = _request_versions.get() or {}
    for item in wanted:
        if isinstance(item, Plain):
            reads.plain.add(str(item))
            reads.ahead[str(item)] = None
            continue
        key = item if isinstance(item, str) else _key(item)
        if key not in memo and key not in reads.found:
            reads.ahead[key] = None


def reads_ahead(reads: Callable[..., Iterable[str | Scope]]):
    """A view's declaration of what it reads from the cache before it knows more (called
    with the request and the view's arguments once the user is known, before the view:
    ``schools.middleware.ViewerMiddleware``), read together with the viewer."""

    def decorate(view):
        view.reads_ahead = reads
        return view

    return decorate


def _fetch(keys: list[str]) -> dict[str, Any]:
    """The values of ``keys`` found in the cache, from what this request read already or
    in one round trip with whatever it read ahead."""
    reads = _request_reads.get()
    if reads is None:
        return cache.get_many(keys) if keys else {}
    memo = _request_versions.get()
    found, wanted = {}, []
    for k in keys:
        value = reads.found.get(k, _ABSENT) if k not in reads.plain else _ABSENT
        if value is not _ABSENT:
            found[k] = value
        elif memo is not None and k in memo:
            found[k] = memo[k]
        elif k not in reads.found or k in reads.plain:
            wanted.append(k)
    if not wanted:
        return found
    ahead = [k for k in reads.ahead if k not in reads.found and (memo is None or k not in memo)]
    every = list(dict.fromkeys(wanted + ahead))
    reads.ahead.clear()
    got = cache.get_many(every)
    for k in every:
        value = got.get(k, _ABSENT)
        if k.startswith("v:"):
            if value is not _ABSENT and memo is not None:
                memo[k] = value
        elif k in reads.plain and k not in wanted:
            reads.found[k] = value  # kept for ``take``
        elif k not in reads.plain:
            reads.found[k] = value
    found.update((k, got[k]) for k in wanted if k in got)
    return found


def take(key: str) -> Any:
    """A plain (not versioned) value, ``None`` when absent: the one read ahead for it in
    this request (``read_ahead(plain=...)``, taken once), else read now."""
    reads = _request_reads.get()
    if reads is not None and key in reads.plain and key in reads.found:
        reads.plain.discard(key)
        value = reads.found.pop(key)
        return None if value is _ABSENT else value
    if reads is not None:
        reads.plain.discard(key)
        reads.ahead.pop(key, None)
    return cache.get(key)


def _remember(values: Mapping[str, Any]) -> None:
    """Entries this request stored: what its next reads of them find."""
    reads = _request_reads.get()
    if reads is not None:
        reads.found.update(values)


# Entries stored while a kept page renders: written with the page, in one round trip.
_deferred: ContextVar[dict | None] = ContextVar("deferred_entries", default=None)


def _store(values: Mapping[str, Any]) -> None:
    """Keep ``values`` (entries for ``ENTRY_TIMEOUT``): with the page being rendered, if
    any, else now."""
    _remember(values)
    deferred = _deferred.get()
    if deferred is not None:
        deferred.update(values)
    elif len(values) == 1:
        cache.set(*next(iter(values.items())), ENTRY_TIMEOUT)
    else:
        cache.set_many(values, ENTRY_TIMEOUT)


def _key(scope: Scope) -> str:
    return "v:" + ":".join(str(part) for part in scope)


assert _key(EPOCH_SCOPE) == OUTAGE_EPOCH_KEY


def versions(*scopes: Scope) -> tuple[str, ...]:
    """The current version of each scope (at most one cache round trip when all exist)."""
    keys = [_key(s) for s in scopes]
    memo = _request_versions.get()
    found = {k: memo[k] for k in keys if k in memo} if memo is not None else {}
    wanted = [k for k in keys if k not in found]
    if wanted:
        found.update(_fetch(wanted))
    missing = [k for k in keys if k not in found]
    for k in missing:
        # First use (or evicted): start from a value no earlier entry can carry.
        cache.add(k, time.time_ns(), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    if memo is not None:
        memo.update(found)
    return tuple(str(found[k]) if k in found else uuid.uuid4().hex for k in keys)


def bump(*scopes: Scope) -> None:
    """Mark the data of ``scopes`` as changed, now and when the transaction commits (a
    student's or a class's data scope: every app's share of it too, ``any_part_scope``)."""
    if not scopes:
        return
    _bump(frozenset(scopes) | {any_part_scope(s) for s in scopes if s[0] in _SHARED})


def bump_recorded(scopes: Iterable[tuple]) -> None:
    """``bump`` for the recorded changes (``core.audit``): each ``(app_label, scope)``
    moves the scope and, for a student's or a class's data scope, the app's share of it
    (``app_part_scope``), not the other apps'. ``(app_label, scope, months, models)``:
    for an app with dated rows (``register_dated_models``), also the share of each of
    ``months`` – without months (``None``) its ``all_months_scope`` – and of each of
    ``models`` (``"app.model"``) kept apart (``register_apart_models``)."""
    moved = set()
    for app_label, scope, *rest in scopes:
        moved.add(scope)
        if scope[0] in _SHARED:
            moved.add(app_part_scope(scope, app_label))
            if app_label in _dated_apps:
                months = rest[0] if rest else None
                if months is None:
                    moved.add(all_months_scope(scope, app_label))
                else:
                    moved.update(month_part_scope(scope, app_label, m) for m in months)
                for label in rest[1] if len(rest) > 1 else ():
                    if label in _apart:
                        moved.add(model_part_scope(scope, label))
    if moved:
        _bump(frozenset(moved))


def bump_in(
    app_label: str,
    *scopes: Scope,
    months: Iterable[str] | None = None,
    models: Iterable[str] = (),
) -> None:
    """``bump`` of derived data that only ``app_label``'s pages show (a student's
    averages): the app's share of a student's or a class's scope, not the other apps'.
    ``months``: the months of that app's data it changes (``()``: data kept per month
    none; by default every month's); ``models``: the models kept apart whose rows it
    changes (``register_apart_models``)."""
    months = None if months is None else tuple(months)
    models = tuple(models)
    bump_recorded((app_label, scope, months, models) for scope in scopes)


def _bump(unique: frozenset[Scope]) -> None:
    keys = [_key(s) for s in unique]

    def write() -> None:
        stamp = time.time_ns()
        cache.set_many(dict.fromkeys(keys, stamp), timeout=None)
        memo = _request_versions.get()
        if memo is not None:
            for k in keys:
                memo.pop(k, None)

    write()
    transaction.on_commit(write)
    for listener in bump_listeners:
        listener(unique)


def _lookup(every: list[Scope], keys: list[str]) -> tuple[dict[Scope, str], dict[str, Any]]:
    """The current version of each scope of ``every`` and the entries under ``keys``, in
    one cache round trip with what the request reads ahead (versions read earlier in the
    request are not asked for again). A version's first use (or evicted) starts it
    (``versions``): no entry can be current then."""
    version_keys = [_key(s) for s in every]
    memo = _request_versions.get()
    known = {k: memo[k] for k in version_keys if k in memo} if memo is not None else {}
    wanted = [k for k in version_keys if k not in known]
    got = _fetch(wanted + keys) if wanted or keys else {}
    if all(k in known or k in got for k in version_keys):
        known.update((k, got[k]) for k in wanted)
        if memo is not None:
            memo.update(known)
        return dict(zip(every, (str(known[k]) for k in version_keys), strict=True)), got
    return dict(zip(every, versions(*every), strict=True)), {}


def _digest(stamp: Mapping[Scope, str], scopes: Iterable[Scope], shape: int = 1) -> str:
    """The versions ``scopes`` are at (``stamp``), and the epoch's, hashed with the shape
    of what the entry holds: an entry is kept with the digest of the versions it was
    built at, found only by code that expects its shape."""
    digest = ".".join([*(stamp[s] for s in scopes), stamp[EPOCH_SCOPE]])
    if shape != 1:
        # The first shape's digest is the one kept before shapes were (no cold start);
        # versions are numbers (or hex), so no other shape's text is a first shape's.
        digest += f"|shape:{shape}"
    return hashlib.blake2b(digest.encode(), digest_size=16).hexdigest()


def _current(entry: Any, digest: str) -> bool:
    return type(entry) is tuple and len(entry) == 2 and entry[0] == digest


def cached(key: str, scopes: Iterable[Scope], build: Callable[[], Any], *, shape: int = 1) -> Any:
    """``build()``'s result, computed at most once per version of ``scopes``. Kept under
    ``key`` with the digest of the versions it was built at (found only while they are
    the current ones, as ``cached_parts``), so the versions and the entry are read in one
    round trip, or none when the request read them ahead (``read_ahead(key)``) or
    already.

    ``shape``: the number of the shape of what ``build()`` returns, in the digest too.
    Move it (2, 3…) when what the entry holds changes shape, never the key: an entry
    kept with another shape (by the other release's processes, during a release) is not
    current, so it is built afresh and replaced, never handed to code that expects
    another shape."""
    every = [*dict.fromkeys(s for s in scopes if s != EPOCH_SCOPE), EPOCH_SCOPE]
    stamp, got = _lookup(every, [key])
    digest = _digest(stamp, every[:-1], shape)
    entry = got.get(key)
    if _current(entry, digest):
        return entry[1]
    for listener in fill_listeners:
        listener()
    value = build()
    _store({key: (digest, value)})
    return value


def cached_parts(
    parts: Mapping[Any, tuple[str, Iterable[Scope]] | tuple[str, Iterable[Scope], int]],
    *,
    shape: int = 1,
) -> Parts:
    """The parts of a page kept each per version of its own scopes (``{name: (key,
    scopes)}``), all looked up in one cache round trip: the versions not yet read in this
    request and the entries together. An entry is kept under its own ``key`` with the
    versions it was built at (hashed); it is found only while they are the current ones,
    so a bump hides it at once (and the next build replaces it). ``Parts.found`` holds
    the ones kept, ``Parts.keep`` stores the ones built since.

    ``shape``: the number of the shape of what the parts hold, in their digest too; a
    part may name its own (``{name: (key, scopes, shape)}``). Move it (2, 3…) when what a
    part holds changes shape, never the key: a part kept with another shape (by the other
    release's processes, during a release) is not found, so it is built afresh and
    replaced (``cached``)."""
    parts = {
        name: (part[0], tuple(part[1]), part[2] if len(part) > 2 else shape)
        for name, part in parts.items()
    }
    every = [*dict.fromkeys(s for _k, scopes, _s in parts.values() for s in scopes), EPOCH_SCOPE]
    if not parts:
        return Parts({}, {})
    stamp, got = _lookup(every, [key for key, _scopes, _shape in parts.values()])
    found, keys = {}, {}
    for name, (key, scopes, part_shape) in parts.items():
        digest = _digest(stamp, scopes, part_shape)
        keys[name] = (key, digest)
        entry = got.get(key)
        if _current(entry, digest):
            found[name] = entry[1]
    if len(found) < len(keys):
        for listener in fill_listeners:
            listener()
    return Parts(found, keys)


@dataclass(frozen=True)
class Parts:
    found: dict[Any, Any]
    # per name, its entry's key and the digest of the versions it is built at (and shape)
    keys: dict[Any, tuple[str, str]]

    def keep(self, built: Mapping[Any, Any]) -> None:
        """Store the parts built for the names that were not found."""
        values = {
            self.keys[name][0]: (self.keys[name][1], value)
            for name, value in built.items()
            if name in self.keys
        }
        if values:
            _store(values)


# --- the subject of a row ---------------------------------------------------------------

_subject_of: dict[type[models.Model], Callable[..., int | None]] = {}


def register_subject_models(table: Mapping[type[models.Model], str]) -> None:
    """The models whose recorded changes move subject scopes, each with the path of its
    subject: ``"subject"`` (its own foreign key) or ``"<relation>__subject"`` (a grade's
    column's)."""
    for model, path in table.items():
        first, _sep, rest = path.partition("__")
        field_ = model._meta.get_field(first)
        if not rest:
            _subject_of[model] = lambda instance, memo=None, a=field_.attname: getattr(instance, a)
            continue
        if rest != "subject":
            raise ValueError(f"{model._meta.label}: {path!r} is more than one step away")
        field_.related_model._meta.get_field("subject")
        _subject_of[model] = _through(field_)


def _through(relation) -> Callable[..., int | None]:
    def subject_of(instance: models.Model, memo: dict | None = None) -> int | None:
        if relation.is_cached(instance):
            related = getattr(instance, relation.name)
            return None if related is None else related.subject_id
        related_id = getattr(instance, relation.attname)
        if related_id is None:
            return None
        memo = {} if memo is None else memo
        key = (relation.related_model, related_id)
        if key not in memo:
            memo[key] = (
                relation.related_model._base_manager.filter(pk=related_id)
                .order_by("pk")
                .values_list("subject_id", flat=True)
                .first()
            )
        return memo[key]

    return subject_of


def has_subject(model: type[models.Model]) -> bool:
    return model._meta.concrete_model in _subject_of


def subject_of(instance: models.Model, memo: dict | None = None) -> int | None:
    """The subject of a row of a subject model (``None`` for other rows); a grade's column
    is read when not loaded (once per column with ``memo``)."""
    resolve = _subject_of.get(instance._meta.concrete_model)
    return None if resolve is None else resolve(instance, memo)


def loaded_subject_of(instance: models.Model) -> int | None:
    """``subject_of`` without a query: ``None`` when it would need one."""
    resolve = _subject_of.get(instance._meta.concrete_model)
    if resolve is None:
        return None
    return resolve(instance, _NoQuery())


class _NoQuery(dict):
    def __contains__(self, key) -> bool:
        return True

    def __getitem__(self, key):
        return None


# --- the configuration scope --------------------------------------------------------------

SchoolOf = Callable[..., "int | None"]


def school_resolver(model: type[models.Model], path: str) -> SchoolOf:
    """How a row of ``model`` finds its school id, from a path in the ORM's lookup
    syntax: ``"pk"`` (the school itself), ``"school"`` (its own foreign key), or
    ``"<relation>__school"`` (the school of a row it points to, e.g.
    ``"school_year__school"``). ``"a__school|b__school"`` gives alternatives: the first
    whose related row is already loaded answers without a query; when none is, the first
    answers with one (once per related row for the rows of one deletion: ``memo``).

    Raises ``FieldDoesNotExist`` for a path the model does not have, so a wrong table
    fails when the app starts, not at a save."""
    options: list[tuple[Any, str]] = []
    for alternative in path.split("|"):
        if alternative == "pk":
            options.append((None, "pk"))
            continue
        first, _sep, rest = alternative.partition("__")
        relation = model._meta.get_field(first)
        if not rest:
            options.append((None, relation.attname))
            continue
        if rest != "school":
            raise ValueError(f"{model._meta.label}: {alternative!r} is more than one step away")
        relation.related_model._meta.get_field("school")
        options.append((relation, "school_id"))

    def school_of(instance: models.Model, memo: dict | None = None) -> int | None:
        loaded = (o for o in options if o[0] is None or o[0].is_cached(instance))
        relation, attname = next(loaded, options[0])
        if relation is None:
            return getattr(instance, attname)
        if relation.is_cached(instance):
            related = getattr(instance, relation.name)
            return None if related is None else getattr(related, attname)
        related_id = getattr(instance, relation.attname)
        if related_id is None:
            return None
        key = (relation.related_model, related_id)
        if memo is None or key not in memo:
            found = (
                relation.related_model._base_manager.filter(pk=related_id)
                .order_by("pk")  # not the model's ordering, which may join other tables
                .values_list(attname, flat=True)
                .first()
            )
            if memo is None:
                return found
            memo[key] = found
        return memo[key]

    return school_of


# Per model, the fields whose changes no page shows (``register_config_models``).
quiet_fields: dict[type[models.Model], frozenset[str]] = {}
_config_school_of: dict[type[models.Model], SchoolOf] = {}


def config_school_of(instance: models.Model, memo: dict | None = None) -> int | None:
    """The school whose configuration ``instance`` (a configuration row) belongs to."""
    return _config_school_of[type(instance)._meta.concrete_model](instance, memo)


def is_quiet(model: type[models.Model], update_fields: Iterable[str] | None) -> bool:
    """Whether a save of ``update_fields`` changes nothing a page shows."""
    quiet = quiet_fields.get(model)
    return update_fields is not None and quiet is not None and set(update_fields) <= quiet


def _config_changed(sender, instance=None, update_fields=None, origin=None, **kwargs) -> None:
    if is_quiet(sender, update_fields):
        return
    # The rows of one deletion (a class and its enrolments) look their schools up once.
    memo = None if origin is None else vars(origin).setdefault("_dziennik_schools", {})
    bump(config_scope(config_school_of(instance, memo)))


def _config_m2m_changed(sender, instance=None, action=None, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump(config_scope(config_school_of(instance)))


def register_config_models(
    table: Mapping[type[models.Model], str],
    quiet: Mapping[type[models.Model], Iterable[str]] = {},
) -> None:
    """Bump the configuration scope of the row's school whenever a row of one of the
    models is saved or deleted (cache upkeep only). ``table`` maps each model to the path
    of its school (``school_resolver``); a save of only ``quiet`` fields (a login) moves
    nothing. A many-to-many field counts when the model at its other end is in the table
    too (a class group's students; not a user's Django groups, which no cached page
    shows)."""
    quiet_fields.update({model: frozenset(names) for model, names in quiet.items()})
    for model, path in table.items():
        _config_school_of[model] = school_resolver(model, path)
    for model in table:
        uid = f"dziennik-config-{model._meta.label_lower}"
        post_save.connect(_config_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_config_changed, sender=model, dispatch_uid=uid + "-delete")
        for m2m in model._meta.local_many_to_many:
            if m2m.related_model in table:
                m2m_changed.connect(
                    _config_m2m_changed,
                    sender=m2m.remote_field.through,
                    dispatch_uid=uid + "-" + m2m.name,
                )


# --- whole pages ----------------------------------------------------------------------


def cached_page(
    request,
    key: str,
    scopes: Iterable[Scope],
    render: Callable[[], Any],
    *,
    vary: Iterable[str] = (),
):
    """A whole rendered page for this user, built by ``render()`` (an ``HttpResponse``)
    at most once per version of ``scopes``. Pages use it through ``PageCache``.

    Only for pages the caller has already authorized. The key adds everything the layout
    shows beyond the data: the user, the language, the full path, ``vary`` (e.g. the
    parent's chosen child: ``accounts.children.family_vary``), the day (pages count
    "today", "this week") and the CSRF secret the page's forms carry (a page cached for
    one secret is not served under another). Pages with pending messages, or for a
    browser without a CSRF cookie yet, are rendered afresh.
    """

    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    storage = get_messages(request)
    if not csrf_cookie or len(storage):  # counting does not mark them shown
        return render()
    layout = "|".join(
        (
            str(request.user.pk),
            get_language() or "",
            request.get_full_path(),
            *vary,
            timezone.localdate().isoformat(),
            hashlib.sha256(csrf_cookie.encode()).hexdigest()[:16],
        )
    )
    # Hashed: the path's query string is the client's to make as long as it likes, and
    # a key stays short (memcached's 250 characters) whatever the address. Kept with the
    # digest of the versions it was built at: the versions and the page in one round trip.
    digest = hashlib.sha256(layout.encode()).hexdigest()[:32]
    full = f"page:{key}:{digest}"
    every = [*dict.fromkeys(s for s in scopes if s != EPOCH_SCOPE), EPOCH_SCOPE]
    stamp, got = _lookup(every, [full])
    version = _digest(stamp, every[:-1])
    found = got.get(full)
    if _current(found, version):
        content, content_type = found[1]
        return HttpResponse(content, content_type=content_type)
    for listener in fill_listeners:
        listener()
    for listener in render_listeners:
        listener(request)
    deferred = {}
    token = _deferred.set(deferred)
    try:
        response = render()
    finally:
        _deferred.reset(token)
    if response.status_code == 200 and not response.cookies and not response.streaming:
        deferred[full] = (version, (response.content, response["Content-Type"]))
    if deferred:  # the page and the parts built for it, in one round trip
        cache.set_many(deferred, ENTRY_TIMEOUT)
    return response


def own_data(request: HttpRequest, **arguments: Any) -> None:
    """``PageCache.authorize`` of a page that shows only the viewer's own data (a family's
    home page): nothing to check."""


def _no_vary(request: HttpRequest) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class PageCache:
    """A page kept whole in the cache, declared once, next to its view::

        STUDENT_PAGE = PageCache(
            "attendance-page",
            authorize=lambda request, student_id: students.require_pk(request.viewer, student_id),
            scopes=lambda request, student_id: student_cache_scopes(request.viewer, student_id),
            vary=family_vary,
        )
        return STUDENT_PAGE.serve(request, render_page, student_id=student_id)

    ``authorize(request, **arguments)`` raises ``Http404`` unless the viewer may see the
    page; it runs before anything else, so ``scopes(request, **arguments)`` (the cache
    scopes the page is computed from) never authorizes and never runs for a stranger.
    ``vary(request)`` adds what else the layout shows (the parent's chosen child).
    """

    name: str
    authorize: Callable[..., None]
    scopes: Callable[..., Iterable[Scope]]
    vary: Callable[[HttpRequest], Iterable[str]] = _no_vary

    def open(self, request: HttpRequest, **arguments: Any) -> OpenPage:
        """Authorize, then work out the page's scopes; ``serve`` it next."""
        self.authorize(request, **arguments)
        return OpenPage(self, request, arguments, tuple(self.scopes(request, **arguments)))

    def serve(
        self, request: HttpRequest, render: Callable[[], HttpResponse], **arguments: Any
    ) -> HttpResponse:
        """The page from the cache, or ``render()``'s, kept for the next request."""
        return self.open(request, **arguments).serve(render)


@dataclass(frozen=True)
class OpenPage:
    """A ``PageCache`` page for one authorized request, with its scopes worked out."""

    page: PageCache
    request: HttpRequest
    arguments: dict[str, Any]
    scopes: tuple[Scope, ...] = field(default=())

    def serve(self, render: Callable[[], HttpResponse], *, key: Iterable[Any] = ()) -> HttpResponse:
        """``key``: what else the page depends on that no scope stands for (the grade
        page's "last seen" mark)."""
        parts = (self.page.name, *(f"{k}={v}" for k, v in sorted(self.arguments.items())), *key)
        return cached_page(
            self.request,
            ":".join(str(part) for part in parts),
            self.scopes,
            render,
            vary=tuple(self.page.vary(self.request)),
        )
