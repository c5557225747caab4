"""Optimistic concurrency for forms that edit shared data (docs/rules.md, "Concurrent
edits").

A form carries what it was based on: a ``version`` of the rows it shows (``version_of``,
in a hidden field) or, for a sheet of many rows, each row's value when the form was
rendered (``initial-…`` fields). The service locks the rows (``select_for_update``),
compares, and either merges (``merge``: a value the user did not change keeps the newer
saved one) or refuses the whole save with ``StaleEdit``, which the view turns into a 409
with the form shown again on the current data. A stale save never silently wins.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _


class StaleEdit(ValidationError):
    """Nothing was saved: the form was based on data someone else has changed since.
    ``conflicts`` names what both changed (students, cells), when that is known.

    A ``ValidationError``, so a view that only knows those still answers 400 with the
    message; views that know it answer 409 and show the current data."""

    def __init__(self, message: str | None = None, *, conflicts: Sequence[str] = ()):
        self.conflicts = list(conflicts)
        if message is None:
            if self.conflicts:
                message = _(
                    "Someone else changed this meanwhile, and so did you: %(names)s. Nothing "
                    "has been saved; the page now shows what is saved – check and save again."
                ) % {"names": ", ".join(self.conflicts)}
            else:
                message = _(
                    "Someone else changed this while you were editing it. Nothing has been "
                    "saved; the page now shows what is saved – check and save again."
                )
        super().__init__(message)


def version_of(rows: Iterable[models.Model], fields: Sequence[str] | None = None) -> str:
    """A short digest of ``rows`` (their ids and stored values of ``fields``, all the
    editable ones by default), in the given order: what a form was based on."""
    payload = [[row.pk, model_to_dict(row, fields=fields)] for row in rows]
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def row_version(row: models.Model | None) -> str:
    """The version of one row that has an ``updated_at`` stamp (``""``: no row), e.g.
    a gradebook cell's: cheap enough to render for every cell of a page."""
    if row is None:
        return ""
    return f"{row.pk}:{row.updated_at.isoformat()}"


def require_version(expected: str | None, current: str, message: str | None = None) -> None:
    """Refuse with ``StaleEdit`` a save based on another version than ``current`` (no
    ``expected``: the caller sent none, nothing to compare)."""
    if expected is not None and expected != current:
        raise StaleEdit(message)


def merge(initial: Any, posted: Any, current: Any) -> tuple[Any, bool]:
    """Three-way merge of one value: (the value to save, whether it is a conflict).

    Untouched by the user (``posted == initial``): the saved value stays, whoever
    changed it. Changed by the user only, or by both to the same value: the user's.
    Changed by both to different values: a conflict (the saved value is returned)."""
    if posted in (initial, current):
        return current, False
    if current == initial:
        return posted, False
    return current, True


def locked[T](queryset: models.QuerySet[T]) -> list[T]:
    """The rows of ``queryset`` locked until the transaction ends, taken in primary key
    order so that two transactions locking overlapping rows cannot deadlock. A save that
    locks a row waits for another save holding it, then reads what that one committed.
    ``no_key``: rows referring to the locked ones may still be inserted meanwhile."""
    return list(queryset.select_for_update(no_key=True).order_by("pk"))
