"""Writes of grades: each service validates, writes in one transaction and records the
change in the history (``AuditEntry`` with ``student_id`` and ``school_class_id``)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit, cache
from dziennik.schools.models import (
    ClassGroup,
    Enrolment,
    School,
    SchoolClass,
    Student,
    Subject,
    Term,
)
from dziennik.schools.viewer import get_viewer

from . import permissions, selectors
from .models import (
    Assessment,
    AverageThreshold,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    GradeCategory,
    GradeVisit,
    GradingSettings,
    PointScaleStep,
    SpecialMark,
    StudentAverage,
)
from .rules import InvalidGrade, Rules, homework_grading_forbidden, weighted_average

DEFAULT_CATEGORIES = [
    # name, weight, colour, counts, homework
    ("Sprawdzian", "3", "#b00020", True, False),
    ("Kartkówka", "2", "#8a4b00", True, False),
    ("Odpowiedź ustna", "2", "#1e6b35", True, False),
    ("Projekt", "2", "#5b2a86", True, False),
    ("Aktywność", "1", "#0b5cad", True, False),
    ("Praca domowa", "1", "#4a5560", True, True),
    ("Próbny egzamin", "1", "#1b1f24", False, False),
]
DEFAULT_MARKS = [
    # symbol, name, rule, value, convert_count, homework
    ("np", "nieprzygotowany", SpecialMark.Rule.IGNORED, None, None, False),
    ("bz", "brak zadania", SpecialMark.Rule.IGNORED, None, None, True),
    ("nb", "nieobecny", SpecialMark.Rule.IGNORED, None, None, False),
    ("0", "nie pisał", SpecialMark.Rule.IGNORED, None, None, False),
    ("+", "plus za aktywność", SpecialMark.Rule.CONVERTED, Decimal(5), 3, False),
    ("-", "minus za aktywność", SpecialMark.Rule.CONVERTED, Decimal(1), 3, False),
]
DEFAULT_POINT_SCALE = [("0", "1"), ("30", "2"), ("50", "3"), ("75", "4"), ("90", "5"), ("100", "6")]
DEFAULT_THRESHOLDS = [(1, "0"), (2, "1.75"), (3, "2.75"), (4, "3.75"), (5, "4.75"), (6, "5.75")]


# --- the school's rules -----------------------------------------------------------------
@transaction.atomic
def grading_setup_defaults(*, school: School, actor=None) -> GradingSettings:
    """Give a school the usual statute defaults (idempotent: existing rows are kept).

    Recorded in the history when a person (``actor``) caused it; the demo and new-school
    setup run it as the system, like the rest of their generated data.
    """
    grading, created = GradingSettings.objects.get_or_create(school=school)
    entries = []
    if created and actor is not None:
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=grading,
                action="create",
                changes={k: [None, v] for k, v in audit.snapshot(grading).items()},
            )
        )
    if not GradeCategory.objects.filter(school=school).exists():
        objs = GradeCategory.objects.bulk_create(
            GradeCategory(
                school=school,
                name=name,
                weight=Decimal(weight),
                colour=colour,
                counts_towards_average=counts,
                is_homework=homework,
            )
            for name, weight, colour, counts, homework in DEFAULT_CATEGORIES
        )
        del objs
    if not SpecialMark.objects.filter(school=school).exists():
        SpecialMark.objects.bulk_create(
            SpecialMark(
                school=school,
                symbol=symbol,
                name=name,
                rule=rule,
                value=value,
                convert_count=count,
                is_homework=homework,
            )
            for symbol, name, rule, value, count, homework in DEFAULT_MARKS
        )
    if not PointScaleStep.objects.filter(school=school).exists():
        PointScaleStep.objects.bulk_create(
            PointScaleStep(school=school, min_percent=Decimal(p), symbol=s)
            for p, s in DEFAULT_POINT_SCALE
        )
    if not AverageThreshold.objects.filter(school=school).exists():
        AverageThreshold.objects.bulk_create(
            AverageThreshold(school=school, grade=g, min_average=Decimal(a))
            for g, a in DEFAULT_THRESHOLDS
        )
    if entries:
        audit.record_many(entries)
    return grading


SETTINGS_FIELDS = (
    "plus_value",
    "minus_value",
    "correction_policy",
    "pass_threshold",
    "proposal_notice_days",
    "comparisons_enabled",
)


@transaction.atomic
def grading_settings_update(*, actor, school_id: int, **changes) -> GradingSettings:
    """The principal changes the school's rules; stored values and averages follow."""
    if not permissions.can_manage_rules(actor) or get_viewer(actor).school_id != school_id:
        raise PermissionDenied
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown settings: {sorted(unknown)}")
    grading = GradingSettings.objects.select_for_update().filter(school_id=school_id).first()
    if grading is None:
        grading = grading_setup_defaults(school=School.objects.get(pk=school_id), actor=actor)
    before = audit.snapshot(grading)
    for name, value in changes.items():
        setattr(grading, name, value)
    grading.full_clean()
    grading.save()
    audit.record_update(actor=actor, instance=grading, before=before)
    if {"plus_value", "minus_value", "correction_policy"} & {
        k for k in changes if before[k] != audit.snapshot(grading)[k]
    }:
        recompute_school(school_id)
    return grading


def comparisons_switch(*, actor, school_id: int, enabled: bool) -> GradingSettings:
    """The principal's switch: show parents class and year averages (or not)."""
    return grading_settings_update(actor=actor, school_id=school_id, comparisons_enabled=enabled)


def recompute_school(school_id: int) -> None:
    """Re-value every grade and average of the school after its rules changed.

    A handful of queries whatever the size of the school: one read of the grades, bulk
    updates, and the averages rebuilt in bulk.
    """
    rules = selectors.load_rules(school_id)
    grades = list(
        Grade.objects.filter(school_id=school_id)
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    )
    entries = defaultdict(list)
    revalued = []
    for g in grades:
        value = _stored_value(rules, g.assessment, g.symbol, g.points)
        if value != g.value:
            g.value = value
            revalued.append(g)
        a = g.assessment
        entries[(g.student_id, a.subject_id, a.term_id)].append(
            selectors.entry_for(g, a, a.category.counts_towards_average)
        )
    # only the grades whose value moved: rewriting all of them is most of the cost
    Grade.objects.bulk_update(revalued, ["value"], batch_size=1000)
    class_of = dict(
        Enrolment.objects.filter(student__school_id=school_id, end_date__isnull=True).values_list(
            "student_id", "school_class_id"
        )
    )
    rows = []
    for (student_id, subject_id, term_id), items in entries.items():
        avg = weighted_average(items, rules)
        if avg is not None and student_id in class_of:
            rows.append(
                StudentAverage(
                    school_id=school_id,
                    student_id=student_id,
                    subject_id=subject_id,
                    term_id=term_id,
                    school_class_id=class_of[student_id],
                    average=avg,
                )
            )
    StudentAverage.objects.filter(school_id=school_id).delete()
    StudentAverage.objects.bulk_create(rows, batch_size=1000)
    cache.bump(cache.CONFIG)  # every value and average of the school may have moved


def _stored_value(rules: Rules, assessment: Assessment, symbol: str, points) -> Decimal | None:
    if assessment.kind == Assessment.Kind.DESCRIPTIVE:
        return None
    try:
        if points is not None and assessment.max_points:
            return rules.value_of(rules.points_symbol(points, assessment.max_points))
    except InvalidGrade:
        return None
    return rules.value_of(symbol) if symbol else None


def refresh_average(*, student_id: int, subject_id: int, term_id: int, rules: Rules) -> None:
    """Keep ``StudentAverage`` (used for class statistics) in step with the grades."""
    grades = (
        Grade.objects.filter(
            student_id=student_id, assessment__subject_id=subject_id, assessment__term_id=term_id
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    )
    entries = [
        selectors.entry_for(g, g.assessment, g.assessment.category.counts_towards_average)
        for g in grades
    ]
    avg = weighted_average(entries, rules)
    if avg is None:
        StudentAverage.objects.filter(
            student_id=student_id, subject_id=subject_id, term_id=term_id
        ).delete()
        return
    class_id = (
        Enrolment.objects.filter(student_id=student_id, end_date__isnull=True)
        .values_list("school_class_id", flat=True)
        .first()
    )
    if class_id is None:
        return
    school_id = Student.objects.filter(pk=student_id).values_list("school_id", flat=True).get()
    StudentAverage.objects.update_or_create(
        student_id=student_id,
        subject_id=subject_id,
        term_id=term_id,
        defaults={"average": avg, "school_class_id": class_id, "school_id": school_id},
    )


def refresh_averages(
    *, student_ids, subject_id: int, term_id: int, school_id: int, rules: Rules
) -> None:
    """``refresh_average`` for many students at once (a column changed or went), in a
    fixed number of queries whatever the size of the class."""
    student_ids = set(student_ids)
    if not student_ids:
        return
    entries = defaultdict(list)
    for g in (
        Grade.objects.filter(
            student_id__in=student_ids,
            assessment__subject_id=subject_id,
            assessment__term_id=term_id,
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    ):
        entries[g.student_id].append(
            selectors.entry_for(g, g.assessment, g.assessment.category.counts_towards_average)
        )
    class_of = dict(
        Enrolment.objects.filter(student_id__in=student_ids, end_date__isnull=True).values_list(
            "student_id", "school_class_id"
        )
    )
    averages = {sid: weighted_average(entries.get(sid, []), rules) for sid in student_ids}
    # As in ``refresh_average``: no average, no row; a student who left keeps theirs.
    StudentAverage.objects.filter(
        student_id__in=[sid for sid, avg in averages.items() if avg is None or sid in class_of],
        subject_id=subject_id,
        term_id=term_id,
    ).delete()
    StudentAverage.objects.bulk_create(
        StudentAverage(
            school_id=school_id,
            student_id=sid,
            subject_id=subject_id,
            term_id=term_id,
            school_class_id=class_of[sid],
            average=avg,
        )
        for sid, avg in sorted(averages.items())
        if avg is not None and sid in class_of
    )


# --- columns ------------------------------------------------------------------------------
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
    if not (name or "").strip():
        errors["name"] = _("Enter a name for the column.")
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
    actor,
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
    if not permissions.can_grade(
        actor, school_class=school_class, subject_id=subject.pk, group_id=group_id
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
        teacher_id=get_viewer(actor).user_id,
        category=category,
        name=name.strip(),
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


def _locked_column(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("school_class__school", "term", "category")
        .get(pk=assessment.pk)
    )


def _check_can_grade(actor, assessment: Assessment) -> None:
    if not permissions.can_grade(
        actor,
        school_class=assessment.school_class,
        subject_id=assessment.subject_id,
        group_id=assessment.group_id,
    ):
        raise PermissionDenied


@transaction.atomic
def assessment_update(*, actor, assessment: Assessment, **changes) -> Assessment:
    """Change a column's name, date, category, weight or (points only) maximum.

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
    values = {name: changes.get(name, getattr(assessment, name)) for name in COLUMN_FIELDS}
    if values["weight"] is None:
        values["weight"] = values["category"].weight
    # Stored with two decimal places: 3 and 3.00 are the same weight, not a change.
    for name in ("weight", "max_points"):
        if values[name] is not None:
            values[name] = Decimal(values[name]).quantize(CENT)
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
        setattr(assessment, name, value.strip() if name == "name" else value)
    assessment.save()
    entry = audit.record_update(
        actor=actor,
        instance=assessment,
        before=before,
        school_class_id=assessment.school_class_id,
    )
    changed = set(entry.changes) if entry is not None else set()
    grades = (
        list(Grade.objects.filter(assessment=assessment)) if changed & COLUMN_VALUE_FIELDS else []
    )
    if grades:
        rules = selectors.load_rules(assessment.school_id)
        if "max_points" in changed:
            # The stored value of a points grade follows from the points and the maximum.
            for g in grades:
                g.value = _stored_value(rules, assessment, g.symbol, g.points)
            Grade.objects.bulk_update(grades, ["value"])
        refresh_averages(
            student_ids={g.student_id for g in grades},
            subject_id=assessment.subject_id,
            term_id=assessment.term_id,
            school_id=assessment.school_id,
            rules=rules,
        )
    return assessment


def _deletion(actor, instance, **links):
    """A history entry for ``instance`` about to be deleted (for ``record_many``)."""
    return audit.build_entry(
        actor=actor,
        instance=instance,
        action="delete",
        changes={name: [value, None] for name, value in audit.snapshot(instance).items()},
        **links,
    )


@transaction.atomic
def assessment_delete(*, actor, assessment: Assessment, expected_grades: int | None = None) -> int:
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
        _deletion(actor, g, student_id=g.student_id, school_class_id=class_id) for g in grades
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


# --- grades -------------------------------------------------------------------------------
def _check_student(assessment: Assessment, student: Student) -> None:
    in_class = Enrolment.objects.filter(
        student=student, school_class_id=assessment.school_class_id, end_date__isnull=True
    )
    if assessment.group_id:
        in_class = in_class.filter(student__class_groups__pk=assessment.group_id)
    if not in_class.exists():
        raise ValidationError(_("This student is not in the class or group of this column."))


def _parse_input(
    rules: Rules, assessment: Assessment, raw: str
) -> tuple[str, Decimal | None, str, Decimal | None]:
    """(symbol, points, text, value) from what the teacher typed, or ``ValidationError``."""
    raw = (raw or "").strip()
    if assessment.kind == Assessment.Kind.DESCRIPTIVE:
        return "", None, raw, None
    if assessment.kind == Assessment.Kind.POINTS:
        try:
            points = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            points = None
        if points is not None and points.is_finite():
            try:
                symbol = rules.points_symbol(points, assessment.max_points)
            except InvalidGrade as exc:
                raise ValidationError(str(exc)) from exc
            return "", points, "", rules.value_of(symbol)
        # Special marks (np, 0…) are allowed in a points column too.
    try:
        symbol, value, mark = rules.parse(raw)
    except InvalidGrade as exc:
        raise ValidationError(str(exc)) from exc
    school = assessment.school
    if (
        assessment.category.is_homework or (mark and mark.is_homework)
    ) and homework_grading_forbidden(
        is_public=school.is_public,
        is_primary=school.is_primary,
        level=assessment.school_class.level,
        day=assessment.date,
    ):
        raise ValidationError(
            _(
                "Homework is not graded in classes 1–8 of a public primary school "
                "(since 1 April 2024)."
            )
        )
    return symbol, None, "", value


GRADE_FIELDS = ["symbol", "points", "text", "value", "comment"]


@transaction.atomic
def grade_set(
    *,
    actor,
    assessment: Assessment,
    student: Student,
    raw: str,
    comment: str | None = None,
    rules: Rules | None = None,
) -> Grade | None:
    """Enter, change or (with empty input) delete a student's grade in a column."""
    if not permissions.can_grade(
        actor,
        school_class=assessment.school_class,
        subject_id=assessment.subject_id,
        group_id=assessment.group_id,
    ):
        raise PermissionDenied
    _check_student(assessment, student)
    rules = rules or selectors.load_rules(assessment.school_id)
    links = {"student_id": student.pk, "school_class_id": assessment.school_class_id}
    grade = (
        Grade.objects.select_for_update()
        .filter(assessment=assessment, student=student, corrects__isnull=True)
        .first()
    )
    if not (raw or "").strip():
        if grade is not None:
            audit.record_delete(actor=actor, instance=grade, **links)
            grade.delete()
            _refresh(assessment, student, rules)
        return None
    symbol, points, text, value = _parse_input(rules, assessment, raw)
    if comment is not None and len(comment) > 300:
        raise ValidationError(_("The comment may have at most 300 characters."))
    if grade is None:
        grade = Grade.objects.create(
            school_id=assessment.school_id,
            assessment=assessment,
            student=student,
            symbol=symbol,
            points=points,
            text=text,
            value=value,
            comment=(comment or "").strip(),
            teacher_id=get_viewer(actor).user_id,
        )
        audit.record_create(actor=actor, instance=grade, **links)
    else:
        before = audit.snapshot(grade, fields=GRADE_FIELDS)
        grade.symbol, grade.points, grade.text, grade.value = symbol, points, text, value
        if comment is not None:
            grade.comment = comment.strip()
        grade.save()
        audit.record_update(actor=actor, instance=grade, before=before, **links)
    _refresh(assessment, student, rules)
    return grade


@transaction.atomic
def grade_comment_set(*, actor, grade: Grade, comment: str) -> Grade:
    assessment = grade.assessment
    if not permissions.can_grade(
        actor,
        school_class=assessment.school_class,
        subject_id=assessment.subject_id,
        group_id=assessment.group_id,
    ):
        raise PermissionDenied
    if len(comment) > 300:
        raise ValidationError(_("The comment may have at most 300 characters."))
    before = audit.snapshot(grade, fields=["comment"])
    grade.comment = comment.strip()
    grade.save(update_fields=["comment", "updated_at"])
    audit.record_update(
        actor=actor,
        instance=grade,
        before=before,
        student_id=grade.student_id,
        school_class_id=assessment.school_class_id,
    )
    return grade


@transaction.atomic
def grade_correct(*, actor, grade: Grade, raw: str, rules: Rules | None = None) -> Grade | None:
    """Record (or change, or with empty input remove) the correction (*poprawa*) of a grade."""
    assessment = grade.assessment
    if grade.corrects_id is not None:
        raise ValidationError(_("Correct the original grade, not its correction."))
    if not permissions.can_grade(
        actor,
        school_class=assessment.school_class,
        subject_id=assessment.subject_id,
        group_id=assessment.group_id,
    ):
        raise PermissionDenied
    rules = rules or selectors.load_rules(assessment.school_id)
    links = {"student_id": grade.student_id, "school_class_id": assessment.school_class_id}
    existing = Grade.objects.select_for_update().filter(corrects=grade).first()
    if not (raw or "").strip():
        if existing is not None:
            audit.record_delete(actor=actor, instance=existing, **links)
            existing.delete()
            _refresh(assessment, grade.student, rules)
        return None
    symbol, points, text, value = _parse_input(rules, assessment, raw)
    if existing is None:
        existing = Grade.objects.create(
            school_id=assessment.school_id,
            assessment=assessment,
            student_id=grade.student_id,
            symbol=symbol,
            points=points,
            text=text,
            value=value,
            corrects=grade,
            teacher_id=get_viewer(actor).user_id,
        )
        audit.record_create(actor=actor, instance=existing, **links)
    else:
        before = audit.snapshot(existing, fields=GRADE_FIELDS)
        existing.symbol, existing.points, existing.text, existing.value = (
            symbol,
            points,
            text,
            value,
        )
        existing.save()
        audit.record_update(actor=actor, instance=existing, before=before, **links)
    _refresh(assessment, grade.student, rules)
    return existing


def _refresh(assessment: Assessment, student: Student, rules: Rules) -> None:
    refresh_average(
        student_id=student.pk,
        subject_id=assessment.subject_id,
        term_id=assessment.term_id,
        rules=rules,
    )


# --- classification -----------------------------------------------------------------------
@transaction.atomic
def classification_grade_set(
    *,
    actor,
    student: Student,
    school_class: SchoolClass,
    subject: Subject,
    term: Term,
    kind: str,
    is_proposal: bool,
    grade: int | None = None,
    text: str = "",
) -> ClassificationGrade | None:
    """Set a term or final grade (or its proposal); descriptive in classes 1–3."""
    if not permissions.can_grade(
        actor, school_class=school_class, subject_id=subject.pk, group_id=None
    ) and not _teaches_subject_in_any_group(actor, school_class, subject):
        raise PermissionDenied
    if not Enrolment.objects.filter(
        student=student, school_class=school_class, end_date__isnull=True
    ).exists():
        raise ValidationError(_("This student is not in the class."))
    text = (text or "").strip()
    if school_class.level <= 3:
        if grade is not None:
            raise ValidationError(
                _("Classes 1–3 get descriptive term and final grades, not numbers.")
            )
    elif text:
        raise ValidationError(_("Classes 4 and above get a grade from 1 to 6."))
    elif grade is not None and not 1 <= grade <= 6:
        raise ValidationError(_("The grade must be from 1 to 6."))
    return _set_or_clear(
        actor=actor,
        model=ClassificationGrade,
        lookup={
            "student": student,
            "subject": subject,
            "term": term,
            "kind": kind,
            "is_proposal": is_proposal,
        },
        values={"grade": grade, "text": text},
        school_class=school_class,
    )


def _set_or_clear(*, actor, model, lookup: dict, values: dict, school_class: SchoolClass):
    """Create, update or – when every value is empty – delete the one row of ``model``
    matching ``lookup`` (a term or behaviour grade), recording the change in the history."""
    links = {"student_id": lookup["student"].pk, "school_class_id": school_class.pk}
    existing = model.objects.select_for_update().filter(**lookup).first()
    if all(value in (None, "") for value in values.values()):
        if existing is not None:
            audit.record_delete(actor=actor, instance=existing, **links)
            existing.delete()
        return None
    if existing is None:
        existing = model.objects.create(
            **lookup,
            **values,
            school_id=school_class.school_id,
            school_class=school_class,
            teacher_id=get_viewer(actor).user_id,
        )
        audit.record_create(actor=actor, instance=existing, **links)
        return existing
    before = audit.snapshot(existing, fields=list(values))
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    audit.record_update(actor=actor, instance=existing, before=before, **links)
    return existing


def _teaches_subject_in_any_group(actor, school_class, subject) -> bool:
    v = get_viewer(actor)
    return school_class.assignments.filter(teacher_id=v.user_id, subject=subject).exists()


@transaction.atomic
def proposals_publish(*, actor, school_class: SchoolClass, subject: Subject, term: Term) -> int:
    """Show the class's proposed grades in a subject to parents and students."""
    if not permissions.can_grade(
        actor, school_class=school_class, subject_id=subject.pk, group_id=None
    ) and not _teaches_subject_in_any_group(actor, school_class, subject):
        raise PermissionDenied
    now = timezone.now()
    pending = list(
        ClassificationGrade.objects.select_for_update().filter(
            school_class=school_class,
            subject=subject,
            term=term,
            is_proposal=True,
            published_at__isnull=True,
        )
    )
    entries = []
    for cg in pending:
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=cg,
                action="update",
                changes={"published_at": [None, now.isoformat()]},
                student_id=cg.student_id,
                school_class_id=school_class.pk,
            )
        )
        cg.published_at = now
    ClassificationGrade.objects.bulk_update(pending, ["published_at"])
    audit.record_many(entries)
    return len(pending)


@transaction.atomic
def behaviour_grade_set(
    *,
    actor,
    student: Student,
    school_class: SchoolClass,
    term: Term,
    kind: str,
    value: str = "",
    text: str = "",
) -> BehaviourGrade | None:
    """The class teacher sets a behaviour grade; descriptive in classes 1–3 (B-01)."""
    if not permissions.can_set_behaviour(actor, school_class=school_class):
        raise PermissionDenied
    if not Enrolment.objects.filter(
        student=student, school_class=school_class, end_date__isnull=True
    ).exists():
        raise ValidationError(_("This student is not in the class."))
    text = (text or "").strip()
    if school_class.level <= 3:
        if value:
            raise ValidationError(_("Classes 1–3 get a descriptive behaviour grade."))
    elif text or (value and value not in BehaviourGrade.Value.values):
        raise ValidationError(_("Choose a behaviour grade from the scale."))
    return _set_or_clear(
        actor=actor,
        model=BehaviourGrade,
        lookup={"student": student, "term": term, "kind": kind},
        values={"value": value, "text": text},
        school_class=school_class,
    )


def grade_visit_record(*, user, student_id: int, at: datetime.datetime | None = None) -> None:
    """Remember when the user last saw the student's grades (not register data)."""
    at = at or timezone.now()
    if not GradeVisit.objects.filter(user_id=user.pk, student_id=student_id).update(seen_at=at):
        GradeVisit.objects.create(user_id=user.pk, student_id=student_id, seen_at=at)
    selectors.remember_visit(user.pk, student_id, at)


VISIT_REFRESH = datetime.timedelta(minutes=5)


def grade_visit_seen(
    *,
    user,
    student_id: int,
    last_seen: datetime.datetime | None,
    had_new: bool,
    at: datetime.datetime | None = None,
) -> bool:
    """Move the "last seen" mark after a visit, but only when it changes something.

    Called after the page has worked out what was new. The mark moves when the page
    showed new grades (they are seen now) or when it is older than ``VISIT_REFRESH``;
    otherwise a reload writes nothing. Returns whether it wrote.
    """
    at = at or timezone.now()
    if last_seen is not None and not had_new and at - last_seen < VISIT_REFRESH:
        return False
    grade_visit_record(user=user, student_id=student_id, at=at)
    return True
