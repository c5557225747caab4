"""Gradebook columns (``Assessment``): add, change, delete, with the history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency
from dziennik.core.models import AuditEntry
from dziennik.core.text import clean_text, field_choice, field_text
from dziennik.schools.models import ClassGroup, SchoolClass, Subject, Term
from dziennik.schools.services import ensure_year_open
from dziennik.schools.viewer import get_viewer

from .. import permissions, selectors
from ..models import Assessment, Grade, GradeCategory
from ..rules import homework_grading_forbidden
from .averages import refresh_averages, stored_value

# ``Assessment.max_points`` has six digits, two of them after the point.
MAX_POINTS_LIMIT = 10_000


def _column_errors(
    *,
    school_class: SchoolClass,
    term: Term,
    name: str,
    date: datetime.date,
    category: GradeCategory,
    weight: Decimal,
    kind: str,
    max_points: Decimal | None,
    current_category_id: int | None = None,
) -> dict[str, str]:
    """What is wrong with a column's values (the same rules for a new and a changed one)."""
    errors = {}
    try:
        if not field_text(Assessment, "name", name):
            errors["name"] = _("Enter a name for the column.")
    except ValidationError as exc:  # longer than the column holds
        errors["name"] = exc.message_dict["name"][0]
    try:
        field_choice(Assessment, "kind", kind)
    except ValidationError as exc:
        errors["kind"] = exc.message_dict["kind"][0]
    if category.school_id != school_class.school_id:
        errors["category"] = _("Choose a category of this school.")
    elif not category.is_active and category.pk != current_category_id:
        errors["category"] = _("The category is no longer in use: choose another one.")
    if term.school_year_id != school_class.school_year_id:
        errors["term"] = _("Choose a term of this school year.")
    elif not (term.start_date <= date <= term.end_date):
        errors["date"] = _("The date must fall within the term (%(start)s – %(end)s).") % {
            "start": term.start_date.strftime("%d.%m.%Y"),
            "end": term.end_date.strftime("%d.%m.%Y"),
        }
    if weight < 0 or weight > 100:
        errors["weight"] = _("The weight must be between 0 and 100.")
    if kind == Assessment.Kind.POINTS and not (max_points and max_points > 0):
        errors["max_points"] = _("Enter the maximum number of points.")
    elif max_points is not None and max_points >= MAX_POINTS_LIMIT:
        errors["max_points"] = _(
            "Enter the maximum number of points above 0 and below %(limit)s."
        ) % {"limit": MAX_POINTS_LIMIT}
    school = school_class.school
    if category.is_homework and homework_grading_forbidden(
        is_public=school.is_public,
        is_primary=school.is_primary,
        level=school_class.level,
        day=date,
    ):
        errors["category"] = _(
            "Homework is not graded in classes 1–8 of a public primary school (since 1 April 2024)."
        )
    return errors


@transaction.atomic
def assessment_create(
    *,
    actor: User,
    school_class: SchoolClass,
    subject: Subject,
    term: Term,
    name: str,
    date: datetime.date,
    category: GradeCategory,
    weight: Decimal | None = None,
    group: ClassGroup | None = None,
    kind: str = Assessment.Kind.STANDARD,
    max_points: Decimal | None = None,
) -> Assessment:
    """A new gradebook column for the whole class (or group) in one step."""
    group_id = group.pk if group else None
    ensure_year_open(actor=actor, school_year_id=term.school_year_id)
    if not permissions.can_grade(
        get_viewer(actor), school_class=school_class, subject_id=subject.pk, group_id=group_id
    ):
        raise PermissionDenied
    if weight is None:
        weight = category.weight
    errors = _column_errors(
        school_class=school_class,
        term=term,
        name=name,
        date=date,
        category=category,
        weight=weight,
        kind=kind,
        max_points=max_points,
    )
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        school_id=school_class.school_id,
        school_class=school_class,
        group=group,
        subject=subject,
        term=term,
        teacher_id=actor.pk,
        category=category,
        name=clean_text(name),
        date=date,
        weight=weight,
        kind=kind,
        max_points=max_points if kind == Assessment.Kind.POINTS else None,
    )
    audit.record_create(actor=actor, instance=assessment, school_class_id=school_class.pk)
    return assessment


CENT = Decimal("0.01")
COLUMN_FIELDS = ("name", "date", "category", "weight", "max_points")
# A change of these changes what the column's grades are worth.
COLUMN_VALUE_FIELDS = {"category", "weight", "max_points"}


def column_version(assessment: Assessment) -> str:
    """What a column's edit form was based on: its editable values."""
    return concurrency.version_of([assessment], fields=COLUMN_FIELDS)


def _locked_column(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("school_class__school", "term", "category")
        .get(pk=assessment.pk)
    )


def _check_can_grade(actor: User, assessment: Assessment) -> None:
    if not permissions.assessments.allows(get_viewer(actor), "grade", assessment):
        raise PermissionDenied
    ensure_year_open(actor=actor, term_id=assessment.term_id)


@transaction.atomic
def assessment_update(
    *, actor: User, assessment: Assessment, version: str | None = None, **changes
) -> Assessment:
    """Change a column's name, date, category, weight or (points only) maximum.
    ``version`` is the column's ``column_version`` the form showed: a form based on an
    older one is refused (``StaleEdit``).

    The same rules as ``assessment_create``; ``weight=None`` takes the category's weight.
    The kind, class, group and term of a column never change (its grades depend on
    them). A new category, weight or maximum re-values the column's grades and the
    stored averages of its students. Returns the saved column.
    """
    unknown = set(changes) - set(COLUMN_FIELDS)
    if unknown:
        raise ValueError(f"Unknown column fields: {sorted(unknown)}")
    assessment = _locked_column(assessment)
    _check_can_grade(actor, assessment)
    concurrency.require_version(version, column_version(assessment))
    values = {name: changes.get(name, getattr(assessment, name)) for name in COLUMN_FIELDS}
    if values["weight"] is None:
        values["weight"] = values["category"].weight
    # Stored with two decimal places: 3 and 3.00 are the same weight, not a change.
    for name in ("weight", "max_points"):
        value = values[name]
        if value is not None and Decimal(value).is_finite() and abs(Decimal(value)) < 10**10:
            values[name] = Decimal(value).quantize(CENT)
    is_points = assessment.kind == Assessment.Kind.POINTS
    errors = _column_errors(
        school_class=assessment.school_class,
        term=assessment.term,
        name=values["name"],
        date=values["date"],
        category=values["category"],
        weight=values["weight"],
        kind=assessment.kind,
        max_points=values["max_points"],
        current_category_id=assessment.category_id,
    )
    if not is_points and values["max_points"] is not None:
        errors["max_points"] = _("Only a points column has a maximum number of points.")
    elif (
        is_points
        and "max_points" not in errors
        and Grade.objects.filter(assessment=assessment, points__gt=values["max_points"]).exists()
    ):
        errors["max_points"] = _(
            "Some students have more points than that: change their grades first."
        )
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(assessment, fields=COLUMN_FIELDS)
    for name, value in values.items():
        setattr(assessment, name, clean_text(value) if name == "name" else value)
    assessment.save()
    entry = audit.record_update(
        actor=actor,
        instance=assessment,
        before=before,
        school_class_id=assessment.school_class_id,
    )
    _revalue(assessment, set(entry.changes) if entry is not None else set())
    return assessment


def _revalue(assessment: Assessment, changed: set[str]) -> None:
    """After a change of the column's category, weight or maximum: its grades' stored
    values and its students' stored averages follow."""
    grades = (
        list(Grade.objects.filter(assessment=assessment)) if changed & COLUMN_VALUE_FIELDS else []
    )
    if not grades:
        return
    rules = selectors.load_rules(assessment.school_id)
    if "max_points" in changed:
        # The stored value of a points grade follows from the points and the maximum.
        for g in grades:
            g.value = stored_value(rules, assessment, g.symbol, g.points)
        Grade.objects.bulk_update(grades, ["value"])
    refresh_averages(
        student_ids={g.student_id for g in grades},
        subject_id=assessment.subject_id,
        term_id=assessment.term_id,
        school_id=assessment.school_id,
        rules=rules,
    )


def _deletion(actor: User, instance: Model, **links) -> AuditEntry:
    """A history entry for ``instance`` about to be deleted (for ``record_many``)."""
    return audit.build_entry(
        actor=actor,
        instance=instance,
        action="delete",
        changes={name: [value, None] for name, value in audit.snapshot(instance).items()},
        **links,
    )


@transaction.atomic
def assessment_delete(
    *, actor: User, assessment: Assessment, expected_grades: int | None = None
) -> int:
    """Delete a column with all its grades (and their corrections); returns how many
    grades went.

    ``expected_grades`` is the number the person confirmed: when grades were entered or
    removed since, nothing is deleted (``ValidationError``) and they are asked again.
    The history keeps the column and every grade; the students' averages follow.
    """
    assessment = _locked_column(assessment)
    _check_can_grade(actor, assessment)
    grades = list(Grade.objects.select_for_update().filter(assessment=assessment).order_by("pk"))
    if expected_grades is not None and expected_grades != len(grades):
        raise ValidationError(
            _("The column's grades changed in the meantime: check them and confirm again.")
        )
    class_id = assessment.school_class_id
    entries = [
        _deletion(
            actor,
            g,
            student_id=g.student_id,
            school_class_id=class_id,
            subject_id=assessment.subject_id,
        )
        for g in grades
    ]
    entries.append(_deletion(actor, assessment, school_class_id=class_id))
    audit.record_many(entries)
    subject_id, term_id, school_id = (
        assessment.subject_id,
        assessment.term_id,
        assessment.school_id,
    )
    assessment.delete()  # its grades go with it (CASCADE)
    if not grades:
        return 0
    refresh_averages(
        student_ids={g.student_id for g in grades},
        subject_id=subject_id,
        term_id=term_id,
        school_id=school_id,
        rules=selectors.load_rules(school_id),
    )
    return len(grades)
