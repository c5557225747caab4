"""Versioned caching of computed views of register data.

A cached entry is never invalidated by deleting it. Its key carries the current
*versions* of the data it was computed from, and every write that changes such data
*bumps* the version, so the next read builds a new key and misses. Old entries simply
age out (``ENTRY_TIMEOUT``).

Scopes (what a version stands for):

- ``CONFIG``: the structure of every school – users' roles, classes, enrolments,
  guardianships, subjects, teaching assignments, timetables, grading rules. Bumped by
  ``post_save``/``post_delete`` of those models (``register_config_models``), so admin
  edits and imports are covered too; changes are rare, so one global version is enough.
- ``("data", class_id)`` and ``("student", student_id)``: a class's or a student's register
  data (grades, attendance, topics, justifications…). Every service that writes records
  the change in the history (``core.audit``) with the class and student it concerns, and
  recording it bumps these versions – one hook for all apps.

A bump happens at once *and* again when the transaction commits: a reader who read the
old data between the two gets a key that is already out of date at the second bump.

Without a shared cache (``CACHE_URL`` unset in production: ``DummyCache``) every version
is new on every read, so nothing is ever served from the cache – slower, never stale.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

CONFIG = ("config",)
ENTRY_TIMEOUT = 60 * 60
Scope = tuple


# Versions already read during this request (set up by ``RequestVersionsMiddleware``):
# a page asks for CONFIG several times, the cache server is asked once.
_request_versions: ContextVar[dict | None] = ContextVar("request_versions", default=None)


class RequestVersionsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_versions.set({})
        try:
            return self.get_response(request)
        finally:
            _request_versions.reset(token)


def _key(scope: Scope) -> str:
    return "v:" + ":".join(str(part) for part in scope)


def versions(*scopes: Scope) -> tuple[str, ...]:
    """The current version of each scope (at most one cache round trip when all exist)."""
    keys = [_key(s) for s in scopes]
    memo = _request_versions.get()
    found = {k: memo[k] for k in keys if k in memo} if memo is not None else {}
    wanted = [k for k in keys if k not in found]
    if wanted:
        found.update(cache.get_many(wanted))
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
    """Mark the data of ``scopes`` as changed, now and when the transaction commits."""
    if not scopes:
        return
    keys = [_key(s) for s in set(scopes)]

    def write() -> None:
        stamp = time.time_ns()
        cache.set_many(dict.fromkeys(keys, stamp), timeout=None)
        memo = _request_versions.get()
        if memo is not None:
            for k in keys:
                memo.pop(k, None)

    write()
    transaction.on_commit(write)


def cached(key: str, scopes: Iterable[Scope], build: Callable[[], Any]) -> Any:
    """``build()``'s result, computed at most once per version of ``scopes``."""
    full = key + "@" + ".".join(versions(*scopes))
    value = cache.get(full)
    if value is None:
        value = build()
        cache.set(full, value, ENTRY_TIMEOUT)
    return value


# --- the configuration scope --------------------------------------------------------------

# Saves of a user that change nothing another page shows (logins, password changes).
_QUIET_USER_FIELDS = frozenset(
    {"last_login", "password", "must_change_password", "activated_at", "session_generation"}
)


def _config_changed(sender, instance=None, update_fields=None, **kwargs) -> None:
    if update_fields is not None and frozenset(update_fields) <= _QUIET_USER_FIELDS:
        return
    bump(CONFIG)


def _config_m2m_changed(sender, action=None, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump(CONFIG)


def register_config_models(*models) -> None:
    """Bump ``CONFIG`` whenever one of ``models`` is saved or deleted (cache upkeep only)."""
    for model in models:
        uid = f"dziennik-config-{model._meta.label_lower}"
        post_save.connect(_config_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_config_changed, sender=model, dispatch_uid=uid + "-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _config_m2m_changed,
                sender=field.remote_field.through,
                dispatch_uid=uid + "-" + field.name,
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
    at most once per version of ``scopes``.

    Only for pages the caller has already authorized. The key adds everything the layout
    shows beyond the data: the user, the language, the full path, ``vary`` (e.g. the
    parent's chosen child: ``accounts.children.family_page``), the day (pages count
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
    full = f"page:{key}:{layout}@" + ".".join(versions(*scopes))
    found = cache.get(full)
    if found is not None:
        content, content_type = found
        return HttpResponse(content, content_type=content_type)
    response = render()
    if response.status_code == 200 and not response.cookies and not response.streaming:
        cache.set(full, (response.content, response["Content-Type"]), ENTRY_TIMEOUT)
    return response
