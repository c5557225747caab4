"""Grades written by an outside system the school connected, not by a person: a
learning tool's score (LTI Assignment and Grade Services, ``dziennik.lti``).

The caller has checked who sends the score and that the column is theirs; here the
grade is validated like a teacher's (the column's kind and maximum, the school's
percentage table, a closed year), written with the column locked, and recorded in the
history with no person as the actor and ``source`` naming the system."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dziennik.core import audit, concurrency
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import Student
from dziennik.schools.services import ensure_year_open

from .. import selectors
from ..models import Assessment, Grade
from .current_grades import GRADE_FIELDS, _check_student, _grade_notice, _parse_input, _refresh


@transaction.atomic
def grade_set_by_system(
    *, source: str, assessment: Assessment, student: Student, points: Decimal
) -> Grade:
    """Enter or change a student's points in a points column on behalf of ``source``
    (e.g. "LTI: Quizyn"). Out of range (below 0, above the column's maximum) raises
    ``ValidationError`` and writes nothing."""
    if assessment.kind != Assessment.Kind.POINTS:
        raise ValidationError(_("Only a points column takes scores from a tool."))
    _check_student(assessment, student)
    ensure_year_open(actor=None, term_id=assessment.term_id)
    rules = selectors.load_rules(assessment.school_id)
    concurrency.locked(Assessment.objects.filter(pk=assessment.pk).only("pk"))
    symbol, points, text, value = _parse_input(rules, assessment, f"{points}")
    links = {
        "student_id": student.pk,
        "school_class_id": assessment.school_class_id,
        "subject_id": assessment.subject_id,
    }
    grade = Grade.objects.filter(
        assessment=assessment, student=student, corrects__isnull=True
    ).first()
    if grade is None:
        grade = Grade.objects.create(
            school_id=assessment.school_id,
            assessment=assessment,
            student=student,
            symbol=symbol,
            points=points,
            text=text,
            value=value,
            teacher_id=assessment.teacher_id,
        )
        changes = {k: [None, v] for k, v in audit.snapshot(grade).items()}
        action, event = "create", events.GRADE_NEW
    else:
        before = audit.snapshot(grade, fields=GRADE_FIELDS)
        grade.symbol, grade.points, grade.text, grade.value = symbol, points, text, value
        grade.save()
        after = audit.snapshot(grade, fields=GRADE_FIELDS)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        action, event = "update", events.GRADE_CHANGED
    if changes:
        changes["source"] = [None, source]
        entry = audit.build_entry(
            actor=None, instance=grade, action=action, changes=changes, **links
        )
        audit.record_many([entry])
        notifications.notify_family(**_grade_notice(event, grade, assessment))
    _refresh(assessment, student.pk, rules)
    return grade
