"""Current grades (*oceny bieżące*): one cell of the gradebook, its comment and its
correction (*poprawa*).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency
from dziennik.core.text import clean_text
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import Enrolment, Student
from dziennik.schools.services import ensure_year_open
from dziennik.schools.viewer import get_viewer

from .. import permissions, selectors
from ..models import DESCRIPTIVE_MAX_LENGTH, Assessment, Grade
from ..rules import InvalidGrade, Rules, homework_grading_forbidden
from .averages import refresh_average


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
        return "", None, descriptive_text(raw), None
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
    school = assessment.school
    no_homework = homework_grading_forbidden(
        is_public=school.is_public,
        is_primary=school.is_primary,
        level=assessment.school_class.level,
        day=assessment.date,
    )
    try:
        symbol, value, mark = rules.parse(raw, without_homework=no_homework)
    except InvalidGrade as exc:
        raise ValidationError(str(exc)) from exc
    if (assessment.category.is_homework or (mark and mark.is_homework)) and no_homework:
        raise ValidationError(
            _(
                "Homework is not graded in classes 1–8 of a public primary school "
                "(since 1 April 2024)."
            )
        )
    return symbol, None, "", value


GRADE_FIELDS = ["symbol", "points", "text", "value", "comment"]


def _comment(comment: str) -> str:
    """A grade's comment: control characters removed, at most 300 characters."""
    comment = clean_text(comment, multiline=True)
    if len(comment) > 300:
        raise ValidationError(_("The comment may have at most 300 characters."))
    return comment


def descriptive_text(text: str) -> str:
    """A descriptive grade as it is kept: its lines, no control characters, at most
    ``DESCRIPTIVE_MAX_LENGTH`` characters (else ``ValidationError``)."""
    text = clean_text(text, multiline=True)
    if len(text) > DESCRIPTIVE_MAX_LENGTH:
        raise ValidationError(
            _(
                "A descriptive grade may have at most %(limit)s characters (this one has "
                "%(length)s)."
            )
            % {"limit": DESCRIPTIVE_MAX_LENGTH, "length": len(text)}
        )
    return text


@transaction.atomic
def grade_set(
    *,
    actor: User,
    assessment: Assessment,
    student: Student,
    raw: str,
    comment: str | None = None,
    rules: Rules | None = None,
    based_on: str | None = None,
) -> Grade | None:
    """Enter, change or (with empty input) delete a student's grade in a column.

    ``based_on`` is the version of the cell the form showed (``Grade.version``, ``""``
    for an empty cell). The column is locked for the write, so a double submit waits
    for the first and then finds its grade. A cell changed since it was shown is
    refused with ``StaleEdit``, unless it already holds what was typed (a repeated
    submit is a no-op)."""
    if not permissions.assessments.allows(get_viewer(actor), "grade", assessment):
        raise PermissionDenied
    _check_student(assessment, student)
    ensure_year_open(actor=actor, term_id=assessment.term_id)
    rules = rules or selectors.load_rules(assessment.school_id)
    links = {
        "student_id": student.pk,
        "school_class_id": assessment.school_class_id,
        "subject_id": assessment.subject_id,
    }
    concurrency.locked(Assessment.objects.filter(pk=assessment.pk).only("pk"))
    grade = Grade.objects.filter(
        assessment=assessment, student=student, corrects__isnull=True
    ).first()
    if not (raw or "").strip():
        _require_fresh(based_on, grade, None)
        if grade is not None:
            audit.record_delete(actor=actor, instance=grade, **links)
            grade.delete()
            _refresh(assessment, student.pk, rules)
        return None
    symbol, points, text, value = _parse_input(rules, assessment, raw)
    _require_fresh(based_on, grade, (symbol, points, text, value))
    if comment is not None:
        comment = _comment(comment)
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
            teacher_id=actor.pk,
        )
        audit.record_create(actor=actor, instance=grade, **links)
        notifications.notify_family(**_grade_notice(events.GRADE_NEW, grade, assessment))
    else:
        before = audit.snapshot(grade, fields=GRADE_FIELDS)
        regraded = (grade.symbol, grade.points, grade.text) != (symbol, points, text)
        grade.symbol, grade.points, grade.text, grade.value = symbol, points, text, value
        if comment is not None:
            grade.comment = comment.strip()
        grade.save()
        audit.record_update(actor=actor, instance=grade, before=before, **links)
        if regraded:
            notifications.notify_family(**_grade_notice(events.GRADE_CHANGED, grade, assessment))
    _refresh(assessment, student.pk, rules)
    return grade


def _grade_notice(event: str, grade: Grade, assessment: Assessment) -> dict:
    """What the family is told of a grade: the subject; the grade only as a detail
    (``notifications.events``)."""
    shown = grade.symbol or (f"{grade.points}" if grade.points is not None else grade.text[:200])
    return {
        "event": event,
        "school_id": assessment.school_id,
        "student_id": grade.student_id,
        "key": f"grade:{grade.pk}:{grade.version}",
        "params": {"subject": assessment.subject.name, "value": shown},
        "url": reverse("grades:student", args=[grade.student_id]),
    }


@transaction.atomic
def grade_comment_set(
    *, actor: User, grade: Grade, comment: str, based_on: str | None = None
) -> Grade:
    """Change the comment of a grade (or of its correction); ``based_on`` as in
    ``grade_set``: a grade changed since is refused unless its comment is this one."""
    if not permissions.grades.allows(get_viewer(actor), "grade", grade):
        raise PermissionDenied
    comment = _comment(comment)
    ensure_year_open(actor=actor, term_id=grade.assessment.term_id)
    rows = concurrency.locked(Grade.objects.filter(pk=grade.pk))
    if not rows:  # deleted meanwhile
        raise concurrency.StaleEdit()
    if based_on not in (None, rows[0].version) and rows[0].comment != comment.strip():
        raise concurrency.StaleEdit()
    before = audit.snapshot(grade, fields=["comment"])
    grade.comment = comment.strip()
    grade.save(update_fields=["comment", "updated_at"])
    audit.record_update(
        actor=actor,
        instance=grade,
        before=before,
        student_id=grade.student_id,
        school_class_id=grade.assessment.school_class_id,
    )
    return grade


@transaction.atomic
def grade_correct(
    *,
    actor: User,
    grade: Grade,
    raw: str,
    rules: Rules | None = None,
    based_on: str | None = None,
) -> Grade | None:
    """Record (or change, or with empty input remove) the correction (*poprawa*) of a
    grade; ``based_on`` is the version of the correction the form showed, as in
    ``grade_set``."""
    assessment = grade.assessment
    if grade.corrects_id is not None:
        raise ValidationError(_("Correct the original grade, not its correction."))
    if not permissions.grades.allows(get_viewer(actor), "grade", grade):
        raise PermissionDenied
    ensure_year_open(actor=actor, term_id=assessment.term_id)
    rules = rules or selectors.load_rules(assessment.school_id)
    links = {
        "student_id": grade.student_id,
        "school_class_id": assessment.school_class_id,
        "subject_id": assessment.subject_id,
    }
    if not concurrency.locked(Grade.objects.filter(pk=grade.pk).only("pk")):
        raise concurrency.StaleEdit()  # the grade was deleted meanwhile
    existing = Grade.objects.filter(corrects=grade).first()
    if not (raw or "").strip():
        _require_fresh(based_on, existing, None)
        if existing is not None:
            audit.record_delete(actor=actor, instance=existing, **links)
            existing.delete()
            _refresh(assessment, grade.student_id, rules)
        return None
    symbol, points, text, value = _parse_input(rules, assessment, raw)
    _require_fresh(based_on, existing, (symbol, points, text, value))
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
            teacher_id=actor.pk,
        )
        audit.record_create(actor=actor, instance=existing, **links)
        notifications.notify_family(**_grade_notice(events.GRADE_CHANGED, existing, assessment))
    else:
        before = audit.snapshot(existing, fields=GRADE_FIELDS)
        regraded = (existing.symbol, existing.points, existing.text) != (symbol, points, text)
        existing.symbol, existing.points, existing.text, existing.value = (
            symbol,
            points,
            text,
            value,
        )
        existing.save()
        audit.record_update(actor=actor, instance=existing, before=before, **links)
        if regraded:
            notifications.notify_family(**_grade_notice(events.GRADE_CHANGED, existing, assessment))
    _refresh(assessment, grade.student_id, rules)
    return existing


def _require_fresh(
    based_on: str | None,
    grade: Grade | None,
    wanted: tuple[str, Decimal | None, str, Decimal | None] | None,
) -> None:
    """Refuse (``StaleEdit``) a cell edit based on another version of the cell, unless
    the cell already is what the edit wants (``None``: empty)."""
    if based_on is None or based_on == concurrency.row_version(grade):
        return
    now = None if grade is None else (grade.symbol, grade.points, grade.text, grade.value)
    if now != wanted:
        raise concurrency.StaleEdit(
            _(
                "Someone else changed this grade after you opened the page; it now shows "
                "the saved grade."
            )
        )


def _refresh(assessment: Assessment, student_id: int, rules: Rules) -> None:
    refresh_average(
        student_id=student_id,
        subject_id=assessment.subject_id,
        term_id=assessment.term_id,
        rules=rules,
    )
