"""Writes to the school's attendance kinds: the defaults, a new kind, a change, a
deletion. The principal's; each checks every rule of ``kind_rules`` and reports every
problem of one attempt together."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency
from dziennik.schools.models import School

from .. import services
from ..models import AttendanceKind
from .base import add_error as _add
from .base import lock_school as _lock_school
from .base import school_of as _school_of
from .kind_rules import (
    CODE_PATTERN,
    DEFAULT_COLOUR,
    KIND_FIELDS,
    MEANING_FIELDS,
    cannot_delete_used,
    check_school_rules,
    counterpart_of,
    kind_is_used,
    kind_label,
    needs_present,
    normalise,
)

Base = AttendanceKind.Base


def _save(kind: AttendanceKind, **kwargs) -> None:
    """Save, turning a lost race on the unique code or shortcut into a clear message."""
    try:
        with transaction.atomic():
            kind.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError(
            _("Another change to the attendance kinds was saved at the same time. Try again.")
        ) from exc


# --- attendance kinds ---------------------------------------------------------------
@transaction.atomic
def attendance_kinds_setup(*, actor: User) -> dict[str, AttendanceKind]:
    """Give a school without attendance kinds the default ones (VULCAN's categories with
    Librus's codes, A-01…A-03), recorded in the history as the actor's."""
    school_id = _school_of(actor)
    _lock_school(school_id)
    if AttendanceKind.objects.filter(school_id=school_id).exists():
        raise ValidationError(_("The school already has attendance kinds."))
    return services.attendance_kinds_ensure_defaults(
        school=School.objects.get(pk=school_id), actor=actor
    )


@transaction.atomic
def attendance_kind_create(
    *,
    actor: User,
    code: str,
    name: str,
    base: str,
    counts_as: str,
    shortcut: str = "",
    colour: str = DEFAULT_COLOUR,
    order: int | None = None,
    is_active: bool = True,
    excused_kind_id: int | None = None,
) -> AttendanceKind:
    """Add a school-specific kind (e.g. "zajęcia pozaszkolne", counted as present).

    Its code cannot change later: the history of marks refers to kinds by code.
    """
    school_id = _school_of(actor)
    _lock_school(school_id)
    others = list(AttendanceKind.objects.filter(school_id=school_id))
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        _add(errors, "code", _("Enter a code of 1 to 5 letters or digits."))
    else:
        clash = next((k for k in others if k.code.lower() == code.lower()), None)
        if clash is not None:
            _add(
                errors,
                "code",
                _("The code “%(code)s” is already used by the kind %(kind)s.")
                % {"code": code, "kind": kind_label(clash)},
            )
    if order is None:
        order = max((k.order for k in others), default=0) + 10
    kind = AttendanceKind(
        school_id=school_id,
        code=code,
        name=name,
        base=base,
        counts_as=counts_as,
        shortcut=shortcut,
        colour=colour,
        order=order,
        is_active=is_active,
        excused_kind_id=excused_kind_id,
    )
    normalise(kind, errors)
    check_school_rules(kind, others, errors)
    if errors:
        raise ValidationError(errors)
    _save(kind)
    audit.record_create(actor=actor, instance=kind)
    return kind


@transaction.atomic
def attendance_kind_update(
    *, actor: User, kind: AttendanceKind, version: str | None = None, **changes
) -> AttendanceKind:
    """Change a kind: name, shortcut, colour, order, active, excused counterpart and,
    while no mark has the kind, its base type and counting rule. ``version`` is the
    kind's version the form showed (``concurrency.version_of``): a form based on an
    older one is refused (``StaleEdit``).

    A used kind's meaning is fixed: changing it would silently change every statistic
    its marks are part of. Rename it freely, or add a new kind and deactivate this one.
    """
    unknown = set(changes) - set(KIND_FIELDS)
    if unknown:
        raise ValueError(f"Unknown attendance kind fields: {sorted(unknown)}")
    school_id = _school_of(actor)
    _lock_school(school_id)
    # FOR UPDATE on the kind also holds back marks being written with it meanwhile
    # (inserting a mark locks the kind it refers to), so "used" stays true or false.
    current = (
        AttendanceKind.objects.select_for_update().filter(pk=kind.pk, school_id=school_id).first()
    )
    if current is None:
        raise PermissionDenied
    concurrency.require_version(version, concurrency.version_of([current]))
    others = list(AttendanceKind.objects.filter(school_id=school_id).exclude(pk=current.pk))
    before = audit.snapshot(current)
    label = kind_label(current)
    for name, value in changes.items():
        setattr(current, name, value)
    errors: dict[str, list[str]] = {}
    normalise(current, errors)
    changed_meaning = [f for f in MEANING_FIELDS if getattr(current, f) != before[f]]
    if changed_meaning and kind_is_used(current.pk):
        for field in changed_meaning:
            _add(
                errors,
                field,
                _(
                    "The kind %(kind)s already has attendance marks, so its base type and "
                    "counting rule cannot change: the statistics of those marks would "
                    "silently change. Add a new kind instead and deactivate this one."
                )
                % {"kind": label},
            )
    check_school_rules(current, others, errors)
    if errors:
        raise ValidationError(errors)
    after = audit.snapshot(current)
    fields = [f for f in after if after[f] != before[f]]
    if fields:
        _save(current, update_fields=fields)
        audit.record_update(actor=actor, instance=current, before=before)
    return current


@transaction.atomic
def attendance_kind_delete(*, actor: User, kind: AttendanceKind) -> None:
    """Delete a kind no mark has. A used kind can only be deactivated."""
    school_id = _school_of(actor)
    _lock_school(school_id)
    current = (
        AttendanceKind.objects.select_for_update().filter(pk=kind.pk, school_id=school_id).first()
    )
    if current is None:
        raise PermissionDenied
    if kind_is_used(current.pk):
        raise ValidationError(cannot_delete_used(current))
    others = list(AttendanceKind.objects.filter(school_id=school_id).exclude(pk=current.pk))
    problems = []
    if not any(k.is_active and k.base == Base.PRESENT for k in others):
        problems.append(needs_present())
    dependants = [k for k in others if k.excused_kind_id == current.pk]
    if dependants:
        problems.append(counterpart_of(dependants))
    if problems:
        raise ValidationError(problems)
    audit.record_delete(actor=actor, instance=current)
    try:
        current.delete()
    except ProtectedError as exc:  # a mark written despite the lock (not on PostgreSQL)
        raise ValidationError(cannot_delete_used(current)) from exc
