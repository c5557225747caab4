"""Writes of behaviour notes: the school's categories and settings, and the notes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit, params
from dziennik.core.text import field_choice, field_text
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import Enrolment, School, Student
from dziennik.schools.services import ensure_year_open
from dziennik.schools.viewer import get_viewer

from . import permissions
from .models import BehaviourCategory, BehaviourNote, BehaviourSettings, Kind

# The categories a school starts with (B-04), in Polish as schools name them: the name,
# the kind and the points a note of it suggests where the school counts points (B-03).
DEFAULT_CATEGORIES = (
    ("aktywność na lekcji", Kind.POSITIVE, 5),
    ("pomoc innym", Kind.POSITIVE, 10),
    ("udział w konkursie", Kind.POSITIVE, 15),
    ("praca na rzecz klasy i szkoły", Kind.POSITIVE, 10),
    ("wysoka kultura osobista", Kind.POSITIVE, 5),
    ("przeszkadzanie na lekcji", Kind.NEGATIVE, -5),
    ("spóźnienia", Kind.NEGATIVE, -2),
    ("brak zadania lub przyborów", Kind.NEGATIVE, -2),
    ("niewłaściwe zachowanie wobec innych", Kind.NEGATIVE, -10),
    ("używanie telefonu na lekcji", Kind.NEGATIVE, -5),
    ("informacja dla rodziców", Kind.NEUTRAL, 0),
)
POINTS_LIMIT = 100


def behaviour_categories_ensure_defaults(*, school: School) -> list[BehaviourCategory]:
    """The school's categories, the usual list made on first need. Setting up a school's
    list is no change of a student's register: no history."""
    existing = list(BehaviourCategory.objects.filter(school=school))
    if existing:
        return existing
    BehaviourCategory.objects.bulk_create(
        [
            BehaviourCategory(
                school=school, name=name, kind=kind, default_points=points, position=i
            )
            for i, (name, kind, points) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )
    return list(BehaviourCategory.objects.filter(school=school))


def settings_of(school_id: int) -> BehaviourSettings:
    """The school's settings, or the defaults (unsaved) when it has none."""
    found = BehaviourSettings.objects.filter(school_id=school_id).first()
    return found or BehaviourSettings(school_id=school_id)


@transaction.atomic
def behaviour_settings_update(*, actor, uses_points: bool) -> BehaviourSettings:
    """Whether the school's notes carry points (the principal or deputy, B-03)."""
    viewer = get_viewer(actor)
    if not permissions.manages_settings(viewer):
        raise Http404
    settings = settings_of(viewer.school_id)
    if settings.pk is None:
        settings.uses_points = bool(uses_points)
        settings.save()
        audit.record_create(actor=actor, instance=settings)
        return settings
    before = audit.snapshot(settings, fields=["uses_points"])
    settings.uses_points = bool(uses_points)
    settings.save()
    audit.record_update(actor=actor, instance=settings, before=before)
    return settings


@transaction.atomic
def behaviour_category_create(
    *, actor, name: str, kind: str, default_points: int = 0
) -> BehaviourCategory:
    """Add a category to the school's list (the principal or deputy); its name is new in
    the school."""
    viewer = get_viewer(actor)
    if not permissions.manages_settings(viewer):
        raise Http404
    errors: dict[str, list] = {}
    try:
        name = field_text(BehaviourCategory, "name", name)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    else:
        if not name:
            errors["name"] = [ValidationError(_("This field is required."))]
        elif BehaviourCategory.objects.filter(
            school_id=viewer.school_id, name__iexact=name
        ).exists():
            errors["name"] = [ValidationError(_("The school already has this category."))]
    try:
        kind = field_choice(BehaviourCategory, "kind", kind)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if abs(default_points) > POINTS_LIMIT:
        errors["default_points"] = [
            ValidationError(_("At most %(n)s points either way.") % {"n": POINTS_LIMIT})
        ]
    if errors:
        raise ValidationError(errors)
    behaviour_categories_ensure_defaults(school=School(pk=viewer.school_id))
    last = BehaviourCategory.objects.filter(school_id=viewer.school_id).count()
    category = BehaviourCategory.objects.create(
        school_id=viewer.school_id,
        name=name,
        kind=kind,
        default_points=default_points,
        position=last,
    )
    audit.record_create(actor=actor, instance=category)
    return category


def _checked(
    *,
    school_id: int,
    category: BehaviourCategory,
    text: str,
    date: datetime.date,
    points: int | None,
) -> dict:
    errors: dict[str, list] = {}
    values: dict = {"category": category, "kind": category.kind, "date": date}
    if category.school_id != school_id:
        errors["category"] = [ValidationError(_("Choose a category of your school."))]
    try:
        values["text"] = field_text(BehaviourNote, "text", text, multiline=True)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    else:
        if not values["text"]:
            errors["text"] = [ValidationError(_("This field is required."))]
    if date > timezone.localdate():
        errors["date"] = [ValidationError(_("A note is written about what has happened."))]
    elif not params.in_bounds(date):
        errors["date"] = [ValidationError(params.date_range_message())]
    if settings_of(school_id).uses_points:
        if points is not None and abs(points) > POINTS_LIMIT:
            errors["points"] = [
                ValidationError(_("At most %(n)s points either way.") % {"n": POINTS_LIMIT})
            ]
        values["points"] = category.default_points if points is None else points
    else:
        values["points"] = None
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def note_create(
    *,
    actor,
    student: Student,
    category: BehaviourCategory,
    text: str,
    date: datetime.date,
    points: int | None = None,
) -> BehaviourNote:
    """Write a note about a student (a teacher of theirs or the principal, B-04): in the
    class the student is in now. Its kind comes from the category; its points, where the
    school counts them, default to the category's."""
    permissions.student_notes.require(get_viewer(actor), "write", student)
    enrolment = (
        Enrolment.objects.filter(student=student, end_date__isnull=True)
        .order_by("-start_date")
        .first()
    )
    if enrolment is None:
        raise ValidationError(_("The student is in no class now."))
    ensure_year_open(actor=actor, school_id=student.school_id, day=date)
    values = _checked(
        school_id=student.school_id, category=category, text=text, date=date, points=points
    )
    note = BehaviourNote.objects.create(
        school_id=student.school_id,
        student=student,
        school_class_id=enrolment.school_class_id,
        author=actor,
        **values,
    )
    audit.record_create(
        actor=actor,
        instance=note,
        student_id=student.pk,
        school_class_id=note.school_class_id,
    )
    notifications.notify_family(
        event=events.BEHAVIOUR_NOTE,
        school_id=note.school_id,
        student_id=student.pk,
        key=f"note:{note.pk}",
        params={"category": category.name},
        url=reverse("behaviour:student", args=[student.pk]),
    )
    return note


@transaction.atomic
def note_update(
    *,
    actor,
    note: BehaviourNote,
    category: BehaviourCategory,
    text: str,
    date: datetime.date,
    points: int | None = None,
) -> BehaviourNote:
    """Correct a note (its author only); the history keeps the old values."""
    permissions.notes.require(get_viewer(actor), "change", note)
    for day in {note.date, date}:
        ensure_year_open(actor=actor, school_id=note.school_id, day=day)
    values = _checked(
        school_id=note.school_id, category=category, text=text, date=date, points=points
    )
    fields = ["category", "kind", "text", "date", "points"]
    before = audit.snapshot(note, fields=fields)
    for name, value in values.items():
        setattr(note, name, value)
    note.save()
    audit.record_update(
        actor=actor,
        instance=note,
        before=before,
        student_id=note.student_id,
        school_class_id=note.school_class_id,
    )
    return note


@transaction.atomic
def note_withdraw(*, actor, note: BehaviourNote) -> BehaviourNote:
    """Withdraw a note (its author only): no longer shown, kept in the history."""
    permissions.notes.require(get_viewer(actor), "change", note)
    ensure_year_open(actor=actor, school_id=note.school_id, day=note.date)
    before = audit.snapshot(note, fields=["withdrawn_at"])
    note.withdrawn_at = timezone.now()
    note.save(update_fields=["withdrawn_at"])
    audit.record_update(
        actor=actor,
        instance=note,
        before=before,
        student_id=note.student_id,
        school_class_id=note.school_class_id,
    )
    return note
