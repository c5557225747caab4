"""The destruction of records whose retention period ended (L-13, P-07).

Nothing is deleted without the principal's confirmation of one kind of record for one
school year, and only when that year is due on the day (``retention.rules``): the
confirmation names how many rows it saw, and a different count now refuses it (rows
became due or were removed since). The rows, what cascades from them and, for messages,
their threads left empty and their files are deleted in one transaction with the
*protokół brakowania* (``DestructionProtocol``): who, when, what, how many of each model.

The history of changes is append-only: the destruction is one new entry (the protocol's
creation, with its counts), never a rewrite of the chain; the deleted rows' old values
are not copied into it, which would keep the very data whose time ran out.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dziennik.core import cache
from dziennik.core.audit import record_create
from dziennik.meetings.scopes import meetings_scope
from dziennik.messaging.models import Attachment, Delivery, Message, Thread
from dziennik.messaging.scopes import mailbox_scope
from dziennik.notices.scopes import board_scope
from dziennik.schools.viewer import get_viewer

from . import permissions
from .models import DestructionProtocol
from .rules import BY_CODE, Kind, Part, year_label


def _rows(part: Part, school_id: int, year: int) -> models.QuerySet:
    chosen = part.with_year(school_id).filter(retention_year=year).values("pk")
    return part.model._default_manager.filter(pk__in=chosen)


def _scopes(part: Part, rows: models.QuerySet) -> list[cache.Scope]:
    """The cached pages the rows appear on: their classes' and students' data."""
    names = {field.name for field in part.model._meta.concrete_fields}
    scopes: list[cache.Scope] = []
    if "school_class" in names:
        ids = rows.exclude(school_class=None).values_list("school_class_id", flat=True)
        scopes += [cache.data_scope(pk) for pk in set(ids)]
    if "student" in names:
        ids = rows.exclude(student=None).values_list("student_id", flat=True)
        scopes += [cache.student_scope(pk) for pk in set(ids)]
    if part.model is Message:
        users = set(rows.values_list("sender_id", flat=True))
        users |= set(
            Delivery.objects.filter(message__in=rows).values_list("recipient_id", flat=True)
        )
        scopes += [mailbox_scope(pk) for pk in users]
    return scopes


def _files(part: Part, rows: models.QuerySet) -> list[str]:
    if part.model is not Message:
        return []
    return [
        name
        for name in Attachment.objects.filter(message__in=rows).values_list("file", flat=True)
        if name
    ]


def _remove_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _kind(code: str) -> Kind:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValidationError(_("There is no such kind of record."), code="kind") from None


def _add(counts: dict[str, int], per_model: dict[str, int]) -> None:
    for label, number in per_model.items():
        if number:
            counts[label] = counts.get(label, 0) + number


def _delete(kind: Kind, school_id: int, year: int, expected_total: int):
    """Delete the kind's rows of the year (in the caller's transaction): the rows
    deleted per model, the cache scopes to move and the files to remove afterwards."""
    parts = [(part, _rows(part, school_id, year)) for part in kind.parts]
    total = sum(rows.count() for _part, rows in parts)
    if total == 0:
        raise ValidationError(
            _("Nothing of this kind is due: nothing was destroyed."), code="nothing"
        )
    if total != expected_total:
        raise ValidationError(
            _(
                "The records due changed since the list was shown (%(then)s then, "
                "%(now)s now): nothing was destroyed. Check the list again."
            )
            % {"then": expected_total, "now": total},
            code="changed",
        )
    # what cached pages may show them: the school's board, meetings, configuration
    scopes = [cache.config_scope(school_id), board_scope(school_id), meetings_scope(school_id)]
    files: list[str] = []
    counts: dict[str, int] = {}
    try:
        for part, rows in parts:
            scopes += _scopes(part, rows)
            files += _files(part, rows)
            _add(counts, rows.delete()[1])
    except ProtectedError as exc:
        names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
        raise ValidationError(
            _("Other records still refer to these: nothing was destroyed (%(what)s).")
            % {"what": ", ".join(names)},
            code="protected",
        ) from exc
    if any(part.model is Message for part in kind.parts):
        _add(counts, Thread.objects.filter(school_id=school_id, messages__isnull=True).delete()[1])
    return counts, scopes, files


def destruction_confirm(
    *,
    actor,
    kind_code: str,
    year: int,
    expected_total: int,
    today: datetime.date | None = None,
) -> DestructionProtocol:
    """Destroy the rows of ``kind_code`` of the school year ``year`` (named by the year
    it ends in) of the actor's school, when due on ``today`` and still ``expected_total``
    of them; the protocol. Refused (``ValidationError``, nothing deleted) otherwise."""
    viewer = get_viewer(actor)
    if not permissions.may_destroy(viewer):
        raise Http404
    kind = _kind(kind_code)
    school_id = viewer.school_id
    today = today or timezone.localdate()
    due_from = kind.deadline(school_id)(year)
    if due_from > today:
        raise ValidationError(
            _("The records of %(year)s are kept until %(date)s: nothing was destroyed.")
            % {"year": year_label(year), "date": date_format(due_from, "j E Y")},
            code="not_due",
        )
    with transaction.atomic():
        counts, scopes, files = _delete(kind, school_id, year, expected_total)
        protocol = DestructionProtocol.objects.create(
            school_id=school_id,
            kind=kind.code,
            school_year=year,
            confirmed_by=actor,
            confirmed_at=timezone.now(),
            due_from=due_from,
            counts=dict(sorted(counts.items())),
            total=sum(counts.values()),
        )
        record_create(actor=actor, instance=protocol)
        cache.bump(*scopes)
        if files:
            transaction.on_commit(lambda: _remove_files(files))
    return protocol
