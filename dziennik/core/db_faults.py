"""When the database cannot be reached (a PostgreSQL restart, a failover), or the disk
cannot be written (full, read-only, missing).

* A request that meets a database error (``OperationalError``/``InterfaceError``) gets a
  clear 503 page with ``Retry-After`` (``server_error``, ``handler500`` of
  ``config/urls.py``), not a traceback and not a 500, wherever it was raised: in a view,
  a middleware or the session's save.
* A read (GET, HEAD) is tried once more after a short pause on a fresh connection
  (``DatabaseFaultMiddleware``): a connection the restart broke is replaced, and the
  person sees the page. Django's ``CONN_HEALTH_CHECKS`` does the same for connections
  found broken at the start of a request.
* The same for the disk: an ``OSError`` of storage (no space, quota, file too large,
  read-only, no permission, missing directory, I/O error) that no service turned into a
  form error – e.g. Django writing a large upload to its temporary file before any view
  runs – is a 503 page that says the server could not store data. (An excuse's
  attachment is a form error instead: ``core.uploads``.)
* A write is never retried: each service writes in one transaction, so a write the
  restart interrupted is either committed whole or not at all, and the page says which:
  "not saved" when the error came before the commit, "saved" when this request's
  transaction had committed before the error (the page after it could not be shown),
  and "cannot tell" when the connection broke during the commit itself (only the
  database knows; the page asks to look before sending again – the forms that edit
  shared data refuse a second save based on an old version anyway).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("dziennik.database")

DATABASE_ERRORS = (OperationalError, InterfaceError)
STORAGE_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EIO,
    }
)
SAFE_METHODS = ("GET", "HEAD")
RETRY_PAUSE = 0.5  # s before a read is tried again on a new connection
RETRY_AFTER = 5  # s, told to the browser with the 503
WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass(eq=False)
class Writes:
    """What this request has written: ``committed`` once a transaction with writes
    committed (or a write ran in autocommit)."""

    committed: bool = False

    def on_commit(self) -> None:
        self.committed = True


_writes: ContextVar[Writes | None] = ContextVar("dziennik_request_writes", default=None)


def _note_writes(execute, sql, params, many, context):
    """The execute wrapper: notes this request's writes and when they commit (once per
    transaction: a rolled-back one drops its hook, the next write registers it again)."""
    writes = _writes.get()
    result = execute(sql, params, many, context)
    if writes is not None and sql.lstrip()[:6].upper() in WRITES:
        connection = context["connection"]
        if not connection.in_atomic_block:
            writes.committed = True
        elif not any(hook == writes.on_commit for _sids, hook, _robust in connection.run_on_commit):
            connection.on_commit(writes.on_commit)
    return result


def _add_wrapper(connection, **kwargs) -> None:
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


def install() -> None:
    """Watch every connection's writes (``CoreConfig.ready``)."""
    connection_created.connect(_add_wrapper, dispatch_uid="dziennik-db-faults")
    for connection in connections.all(initialized_only=True):
        _add_wrapper(connection)


def _broke_during_commit(error: BaseException) -> bool:
    """Whether the connection failed inside Django's commit of a transaction."""
    traceback = error.__traceback__
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_name in ("commit", "_commit") and "django/db/backends" in code.co_filename:
            return True
        traceback = traceback.tb_next
    return False


def _write_outcome(request, error: BaseException) -> tuple[str, str] | None:
    """What happened to this request's change: (``unknown``/``saved``/``not-saved``, the
    sentence that says it); ``None`` for a read."""
    if request.method in SAFE_METHODS:
        return None
    writes = _writes.get() or Writes()
    if _broke_during_commit(error):
        return "unknown", _(
            "The connection to the database broke while your change was being saved. "
            "Whether it was saved, only the register knows: open the page again in a "
            "moment and check before you send it again."
        )
    if writes.committed:
        return "saved", _(
            "Your change was saved. Only the page after it could not be shown: open the "
            "register again in a moment."
        )
    return "not-saved", _(
        "Your change was not saved: nothing of it was written. Send it again in a moment, "
        "when the register is back."
    )


def is_storage_error(error: BaseException | None) -> bool:
    """An ``OSError`` of the disk (not of the network: those have other numbers)."""
    return isinstance(error, OSError) and error.errno in STORAGE_ERRNOS


def database_unavailable(request, error: BaseException, *, cause: str = "database") -> HttpResponse:
    """The 503 page: plain, without the layout (which reads the database). ``cause``:
    ``database`` or ``storage``."""
    logger.warning(
        "%s unavailable (%s: %s) for %s %s",
        "Storage" if cause == "storage" else "Database",
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        request.method,
        request.path,
    )
    content = render_to_string(
        "core/unavailable.html",
        {"cause": cause, "write_outcome": _write_outcome(request, error)},
    )
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response.database_unavailable = cause == "database"  # a read is tried once more
    return response


def server_error(request):
    """``handler500``: a database that cannot be reached or a disk that cannot be written
    is a 503, anything else a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS) or is_storage_error(error):
        cause = "database" if isinstance(error, DATABASE_ERRORS) else "storage"
        try:
            return database_unavailable(request, error, cause=cause)
        except Exception:  # the error page must answer, whatever failed
            logger.exception("The 503 page could not be rendered")
            response = HttpResponse(
                "503 Service Unavailable", status=503, content_type="text/plain"
            )
            response["Retry-After"] = str(RETRY_AFTER)
            return response
    return defaults.server_error(request)


class DatabaseFaultMiddleware:
    """Outermost: notes the request's writes and tries a read once more when the database
    failed it (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _writes.set(Writes())
        try:
            response = self.get_response(request)
            if getattr(response, "database_unavailable", False) and request.method in SAFE_METHODS:
                for connection in connections.all(initialized_only=True):
                    if not connection.in_atomic_block:
                        with contextlib.suppress(*DATABASE_ERRORS):
                            connection.close()
                time.sleep(RETRY_PAUSE)
                response = self.get_response(request)
                if not getattr(response, "database_unavailable", False):
                    logger.warning(
                        "Database back: %s %s served on retry", request.method, request.path
                    )
            return response
        finally:
            _writes.reset(token)
