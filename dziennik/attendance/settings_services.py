"""Writes to the school's attendance rules: attendance kinds (*kategorie frekwencji*),
the school's attendance settings and students' subject exemptions (*zwolnienia z
zajęć*, A-04).

Every service takes the actor, checks that they may make the change, runs in one
transaction and records the change in the history (``dziennik.core.audit``). Kinds,
settings and exemptions are configuration: saving them moves the school's configuration
cache version (``core.cache.config_scope``) through the signals of ``core.apps``; the
default kinds, written in bulk, move it themselves (``services``).
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dziennik.core import audit, contrast
from dziennik.schools.models import School, Student, Subject
from dziennik.schools.viewer import get_viewer

from . import permissions, selectors, services
from .models import AttendanceKind, AttendanceMark, AttendanceSettings, SubjectExemption
from .tasks import attendance_alerts_sweep

Base = AttendanceKind.Base
Counts = AttendanceKind.Counts

# The bases whose marks a justification can excuse, and the bases they turn into.
JUSTIFIABLE_BASES = frozenset({Base.ABSENT, Base.LATE})
EXCUSED_BASES = frozenset({Base.ABSENT_EXCUSED, Base.LATE_EXCUSED})

KIND_FIELDS = (
    "name",
    "base",
    "counts_as",
    "shortcut",
    "colour",
    "order",
    "is_active",
    "excused_kind_id",
)
# Changing these would change what existing marks mean in every statistic.
MEANING_FIELDS = ("base", "counts_as")
CODE_PATTERN = re.compile(r"^[0-9a-ząćęłńóśźż+\-]{1,5}$", re.IGNORECASE)
SHORTCUT_PATTERN = re.compile(r"^[a-z0-9]$")
MAX_ORDER = 32767
DEFAULT_COLOUR = "#4a5560"


def _school_of(actor) -> int:
    """The actor's school, when they may manage its attendance rules."""
    v = get_viewer(actor)
    if not permissions.can_manage_rules(v):
        raise PermissionDenied
    return v.school_id


def _lock_school(school_id: int) -> None:
    """Serialise the writes to one school's rules, so that those checked over the whole
    set of kinds (one active "present" kind, distinct shortcuts) hold after concurrent
    edits. ``no_key``: other rows may still refer to the school meanwhile."""
    list(School.objects.select_for_update(no_key=True).filter(pk=school_id).only("pk"))


def _kind_is_used(kind_id: int) -> bool:
    return AttendanceMark.objects.filter(kind_id=kind_id).exists()


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _label(kind: AttendanceKind) -> str:
    return f"{kind.code} ({kind.name})"


def _needs_present() -> str:
    return _(
        "The school must keep at least one active kind with the base type “%(base)s”: it "
        "is the mark every student starts a lesson with."
    ) % {"base": Base.PRESENT.label}


def _counterpart_of(kinds: list[AttendanceKind]) -> str:
    return _(
        "This kind is what an accepted justification turns %(kinds)s into. Choose another "
        "excused counterpart there first."
    ) % {"kinds": ", ".join(_label(k) for k in kinds)}


def _cannot_delete_used(kind: AttendanceKind) -> str:
    return _(
        "The kind %(kind)s has attendance marks, so it cannot be deleted; deactivate it instead."
    ) % {"kind": _label(kind)}


def colour_error(colour: str) -> str | None:
    """Why ``colour`` (``#rrggbb``) may not be used for text on white, or None."""
    ratio = contrast.contrast_ratio(colour)
    if ratio >= contrast.AA_NORMAL_TEXT:
        return None
    return _(
        "The colour %(colour)s has a contrast ratio of only %(ratio)s:1 against the white "
        "page. WCAG 2.1 level AA requires at least 4.5:1; choose a darker colour."
    ) % {"colour": colour, "ratio": formats.number_format(contrast.shown_ratio(ratio), 2)}


def _normalise(kind: AttendanceKind, errors: dict[str, list[str]]) -> None:
    """Check each field of ``kind`` on its own; store the normalised values."""
    kind.name = (kind.name or "").strip()
    if not kind.name:
        _add(errors, "name", _("Enter a name."))
    elif len(kind.name) > 60:
        _add(errors, "name", _("The name is too long (at most 60 characters)."))
    if kind.base not in Base.values:
        _add(errors, "base", _("Choose a base type."))
    if kind.counts_as not in Counts.values:
        _add(errors, "counts_as", _("Choose how the kind counts."))
    kind.shortcut = (kind.shortcut or "").strip().lower()
    if kind.shortcut and not SHORTCUT_PATTERN.match(kind.shortcut):
        _add(
            errors,
            "shortcut",
            _("A keyboard shortcut is one letter (a–z, without Polish letters) or digit."),
        )
    colour = contrast.normalise_hex(kind.colour)
    if colour is None:
        _add(errors, "colour", _("Enter the colour as #rrggbb, e.g. #1e6b35."))
    else:
        kind.colour = colour
        problem = colour_error(colour)
        if problem:
            _add(errors, "colour", problem)
    if not isinstance(kind.order, int) or not 0 <= kind.order <= MAX_ORDER:
        _add(errors, "order", _("The order is a whole number from 0 to 32767."))


def _check_school_rules(
    kind: AttendanceKind,
    others: list[AttendanceKind],
    errors: dict[str, list[str]],
) -> None:
    """The rules over the school's whole set of kinds, with ``kind`` as it would be
    saved and ``others`` the school's other kinds. Reported together with the errors of
    single fields (so that one attempt shows every problem), except for a field that
    already has one."""
    found: dict[str, list[str]] = {}
    _school_rules(kind, others, found)
    for field, messages in found.items():
        if field not in errors:
            errors[field] = messages


def _school_rules(
    kind: AttendanceKind,
    others: list[AttendanceKind],
    errors: dict[str, list[str]],
) -> None:
    present = Base.PRESENT.label
    if kind.base == Base.PRESENT and kind.counts_as != Counts.PRESENT:
        _add(
            errors,
            "counts_as",
            _("A kind with the base type “%(base)s” must count as present.") % {"base": present},
        )
    if not any(k.is_active and k.base == Base.PRESENT for k in [*others, kind]):
        field = "is_active" if kind.base == Base.PRESENT else "base"
        _add(errors, field, _needs_present())
    if kind.is_active and kind.shortcut:
        clash = next((k for k in others if k.is_active and k.shortcut == kind.shortcut), None)
        if clash is not None:
            _add(
                errors,
                "shortcut",
                _(
                    "The shortcut “%(key)s” is already used by the active kind %(kind)s. "
                    "Active kinds need different shortcuts."
                )
                % {"key": kind.shortcut, "kind": _label(clash)},
            )
    if kind.excused_kind_id is not None:
        target = next((k for k in others if k.pk == kind.excused_kind_id), None)
        if kind.base not in JUSTIFIABLE_BASES:
            _add(
                errors,
                "excused_kind_id",
                _("Only an unexcused absence or lateness can have an excused counterpart."),
            )
        elif (
            target is None
            or target.base not in EXCUSED_BASES
            or (kind.is_active and not target.is_active)
        ):
            _add(
                errors,
                "excused_kind_id",
                _(
                    "The excused counterpart must be another active kind of the school with "
                    "the base type “%(absent)s” or “%(late)s”."
                )
                % {"absent": Base.ABSENT_EXCUSED.label, "late": Base.LATE_EXCUSED.label},
            )
    if kind.pk is not None and (not kind.is_active or kind.base not in EXCUSED_BASES):
        dependants = [k for k in others if k.excused_kind_id == kind.pk and k.is_active]
        if dependants:
            _add(
                errors,
                "is_active" if not kind.is_active else "base",
                _counterpart_of(dependants),
            )


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
def attendance_kinds_setup(*, actor) -> dict[str, AttendanceKind]:
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
    actor,
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
                % {"code": code, "kind": _label(clash)},
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
    _normalise(kind, errors)
    _check_school_rules(kind, others, errors)
    if errors:
        raise ValidationError(errors)
    _save(kind)
    audit.record_create(actor=actor, instance=kind)
    return kind


@transaction.atomic
def attendance_kind_update(*, actor, kind: AttendanceKind, **changes) -> AttendanceKind:
    """Change a kind: name, shortcut, colour, order, active, excused counterpart and,
    while no mark has the kind, its base type and counting rule.

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
    others = list(AttendanceKind.objects.filter(school_id=school_id).exclude(pk=current.pk))
    before = audit.snapshot(current)
    label = _label(current)
    for name, value in changes.items():
        setattr(current, name, value)
    errors: dict[str, list[str]] = {}
    _normalise(current, errors)
    changed_meaning = [f for f in MEANING_FIELDS if getattr(current, f) != before[f]]
    if changed_meaning and _kind_is_used(current.pk):
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
    _check_school_rules(current, others, errors)
    if errors:
        raise ValidationError(errors)
    after = audit.snapshot(current)
    fields = [f for f in after if after[f] != before[f]]
    if fields:
        _save(current, update_fields=fields)
        audit.record_update(actor=actor, instance=current, before=before)
    return current


@transaction.atomic
def attendance_kind_delete(*, actor, kind: AttendanceKind) -> None:
    """Delete a kind no mark has. A used kind can only be deactivated."""
    school_id = _school_of(actor)
    _lock_school(school_id)
    current = (
        AttendanceKind.objects.select_for_update().filter(pk=kind.pk, school_id=school_id).first()
    )
    if current is None:
        raise PermissionDenied
    if _kind_is_used(current.pk):
        raise ValidationError(_cannot_delete_used(current))
    others = list(AttendanceKind.objects.filter(school_id=school_id).exclude(pk=current.pk))
    problems = []
    if not any(k.is_active and k.base == Base.PRESENT for k in others):
        problems.append(_needs_present())
    dependants = [k for k in others if k.excused_kind_id == current.pk]
    if dependants:
        problems.append(_counterpart_of(dependants))
    if problems:
        raise ValidationError(problems)
    audit.record_delete(actor=actor, instance=current)
    try:
        current.delete()
    except ProtectedError as exc:  # a mark written despite the lock (not on PostgreSQL)
        raise ValidationError(_cannot_delete_used(current)) from exc


# --- the school's attendance settings ----------------------------------------------
SETTINGS_LIMITS = {
    "justification_deadline_days": (0, 365),
    "risk_threshold_percent": (0, 100),
    "risk_minimum_lessons": (1, 200),
}
SETTINGS_FIELDS = ("adult_students_may_justify", *SETTINGS_LIMITS)
RISK_FIELDS = ("risk_threshold_percent", "risk_minimum_lessons")


@transaction.atomic
def attendance_settings_update(*, actor, **changes) -> AttendanceSettings:
    """The principal changes the school's attendance rules (its statute's choices).

    When the non-classification risk rule changes, the school's warnings of the current
    term are checked again once the change is committed.
    """
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown attendance settings: {sorted(unknown)}")
    school_id = _school_of(actor)
    _lock_school(school_id)  # the first save of two at once must not both insert
    config = AttendanceSettings.objects.filter(school_id=school_id).first()
    created = config is None
    if created:
        config = AttendanceSettings(school_id=school_id)
    before = audit.snapshot(config)
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name in SETTINGS_LIMITS:
            low, high = SETTINGS_LIMITS[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                _add(
                    errors,
                    name,
                    _("Enter a whole number from %(low)s to %(high)s.")
                    % {"low": low, "high": high},
                )
                continue
        else:
            value = bool(value)
        setattr(config, name, value)
    if errors:
        raise ValidationError(errors)
    after = audit.snapshot(config)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed and not created:
        return config
    config.save()
    if created:
        # The school worked under the defaults until now: they are the old values.
        audit.record_many(
            [audit.build_entry(actor=actor, instance=config, action="create", changes=changed)]
        )
    else:
        audit.record_update(actor=actor, instance=config, before=before)
    if set(changed) & set(RISK_FIELDS):
        day = timezone.localdate().isoformat()
        transaction.on_commit(lambda: attendance_alerts_sweep.enqueue(school_id, day))
    return config


# --- subject exemptions -------------------------------------------------------------
def _current_class_id(student_id: int) -> int | None:
    rows = selectors.current_class_ids([student_id])
    return rows[0][1] if rows else None


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "d.m.Y")


@transaction.atomic
def subject_exemption_create(
    *,
    actor,
    student: Student,
    subject: Subject,
    date_from: datetime.date,
    date_to: datetime.date,
    must_attend: bool = False,
    basis: str = "",
) -> SubjectExemption:
    """Exempt a student from a subject for a period (A-04), e.g. PE on a doctor's
    opinion. Periods of one student's exemptions from one subject may not overlap."""
    if not permissions.can_manage_exemptions_of(actor, student):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if subject.school_id != student.school_id:
        _add(errors, "subject", _("Choose a subject of the school."))
    if date_from > date_to:
        _add(errors, "date_to", _("The end date is before the start date."))
    basis = (basis or "").strip()
    if len(basis) > 200:
        _add(errors, "basis", _("The note is too long (at most 200 characters)."))
    if errors:
        raise ValidationError(errors)
    # one student's exemptions are written one at a time, so two overlapping ones
    # cannot both pass the check below
    list(Student.objects.select_for_update(no_key=True).filter(pk=student.pk).only("pk"))
    overlap = (
        SubjectExemption.objects.filter(
            student=student, subject=subject, date_from__lte=date_to, date_to__gte=date_from
        )
        .order_by("date_from")
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            {
                "date_from": _(
                    "%(student)s is already exempt from %(subject)s from %(start)s to "
                    "%(end)s, which overlaps this period. End that exemption first or "
                    "choose other dates."
                )
                % {
                    "student": student.full_name,
                    "subject": subject.name,
                    "start": _date(overlap.date_from),
                    "end": _date(overlap.date_to),
                }
            }
        )
    exemption = SubjectExemption.objects.create(
        school_id=student.school_id,
        student=student,
        subject=subject,
        date_from=date_from,
        date_to=date_to,
        must_attend=bool(must_attend),
        basis=basis,
    )
    audit.record_create(
        actor=actor,
        instance=exemption,
        student_id=student.pk,
        school_class_id=_current_class_id(student.pk),
    )
    return exemption


@transaction.atomic
def subject_exemption_end(
    *, actor, exemption: SubjectExemption, last_day: datetime.date
) -> SubjectExemption:
    """End an exemption earlier: ``last_day`` is its new last day."""
    current = (
        SubjectExemption.objects.select_for_update()
        .select_related("student")
        .filter(pk=exemption.pk)
        .first()
    )
    if current is None or not permissions.can_manage_exemptions_of(actor, current.student):
        raise PermissionDenied
    if last_day < current.date_from:
        raise ValidationError(
            {
                "last_day": _("The exemption starts on %(start)s; it cannot end before it starts.")
                % {"start": _date(current.date_from)}
            }
        )
    if last_day >= current.date_to:
        raise ValidationError(
            {
                "last_day": _("The exemption already ends on %(end)s.")
                % {"end": _date(current.date_to)}
            }
        )
    before = audit.snapshot(current, fields=["date_to"])
    current.date_to = last_day
    current.save(update_fields=["date_to"])
    audit.record_update(
        actor=actor,
        instance=current,
        before=before,
        student_id=current.student_id,
        school_class_id=_current_class_id(current.student_id),
    )
    return current


@transaction.atomic
def subject_exemption_withdraw(*, actor, exemption: SubjectExemption) -> None:
    """Withdraw an exemption entered by mistake, before it begins. One that has begun
    can only be ended: the lessons it covered were taken without the student."""
    current = (
        SubjectExemption.objects.select_for_update()
        .select_related("student")
        .filter(pk=exemption.pk)
        .first()
    )
    if current is None or not permissions.can_manage_exemptions_of(actor, current.student):
        raise PermissionDenied
    if current.date_from <= timezone.localdate():
        raise ValidationError(
            _(
                "The exemption has already begun, so it can only be ended: the lessons it "
                "covered were taken without the student's attendance."
            )
        )
    audit.record_delete(
        actor=actor,
        instance=current,
        student_id=current.student_id,
        school_class_id=_current_class_id(current.student_id),
    )
    current.delete()
