"""The teacher's gradebook: the grid of one class (or group), subject and term, and
the columns and cells a teacher may grade.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dziennik.schools.models import (
    ClassGroup,
    Enrolment,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)
from dziennik.schools.viewer import get_object_for, get_viewer

from .. import permissions
from ..models import Assessment, Grade, GradeCategory
from ..rules import Entry, Rules, weighted_average
from .grading import categories, entry_for, load_rules, pick_term, year_terms


# --- the teacher's grid ---------------------------------------------------------------
@dataclass
class GridRow:
    student: Student
    journal_number: int
    cells: list
    average: Decimal | None
    proposed: int | None


@dataclass
class Gradebook:
    school_class: SchoolClass
    subject: Subject
    group: ClassGroup | None
    term: Term
    terms: list[Term]
    assessments: list[Assessment]
    rows: list[GridRow]
    rules: Rules
    can_edit: bool
    categories: list[GradeCategory]


def gradebook_target(viewer, class_id: int, subject_id: int, group_id: int | None):
    """(class, subject, group, can_edit) if the viewer may open this gradebook, else 404."""
    v = get_viewer(viewer)
    school_class = get_object_for(
        v,
        SchoolClass.objects.filter(school_id=v.school_id).select_related("school_year"),
        pk=class_id,
    )
    subject = get_object_for(v, Subject.objects.filter(school_id=v.school_id), pk=subject_id)
    group = None
    if group_id is not None:
        group = get_object_for(v, ClassGroup.objects.filter(school_class=school_class), pk=group_id)
    can_edit = permissions.can_grade(
        v, school_class=school_class, subject_id=subject.pk, group_id=group_id
    )
    if not can_edit and not v.leads_class(school_class.pk):
        raise Http404
    return school_class, subject, group, can_edit


def roster(school_class: SchoolClass, group: ClassGroup | None) -> list[tuple[int, Student]]:
    qs = Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
    if group is not None:
        qs = qs.filter(
            student_id__in=ClassGroup.students.through.objects.filter(
                classgroup_id=group.pk
            ).values("student_id")
        )
    return [
        (e.journal_number, e.student)
        for e in qs.select_related("student")
        .only("journal_number", "student__first_name", "student__last_name", "student__school_id")
        .order_by("journal_number")
    ]


def gradebook(
    viewer,
    class_id: int,
    subject_id: int,
    *,
    group_id: int | None = None,
    term_id: int | None = None,
    today: datetime.date | None = None,
) -> Gradebook:
    school_class, subject, group, can_edit = gradebook_target(
        viewer, class_id, subject_id, group_id
    )
    terms = year_terms(school_class.school_year_id)
    term = pick_term(terms, term_id, today or timezone.localdate())
    if term is None:
        raise Http404
    rules = load_rules(school_class.school_id)
    assessments = list(
        Assessment.objects.filter(
            school_class=school_class, subject=subject, term=term, group=group
        ).select_related("category")
    )
    students = roster(school_class, group)
    grades = Grade.objects.filter(assessment__in=[a.pk for a in assessments]).order_by(
        "created_at", "pk"
    )
    by_cell: dict[tuple[int, int], Grade] = {}
    corrections: dict[int, Grade] = {}
    entries: dict[int, list[Entry]] = defaultdict(list)
    assessment_by_id = {a.pk: a for a in assessments}
    for g in grades:
        a = assessment_by_id[g.assessment_id]
        if g.corrects_id is None:
            by_cell[(g.student_id, g.assessment_id)] = g
        else:
            corrections[g.corrects_id] = g
        entries[g.student_id].append(entry_for(g, a, a.category.counts_towards_average))
    rows = []
    for number, student in students:
        cells = []
        for a in assessments:
            g = by_cell.get((student.pk, a.pk))
            cells.append(
                {
                    "assessment": a,
                    "grade": g,
                    "correction": corrections.get(g.pk) if g else None,
                }
            )
        avg = weighted_average(entries[student.pk], rules)
        rows.append(GridRow(student, number, cells, avg, rules.proposed_grade(avg)))
    return Gradebook(
        school_class=school_class,
        subject=subject,
        group=group,
        term=term,
        terms=terms,
        assessments=assessments,
        rows=rows,
        rules=rules,
        can_edit=can_edit,
        categories=categories(school_class.school_id) if can_edit else [],
    )


def get_assessment_for_grading(viewer, assessment_id: int) -> Assessment:
    """An assessment the viewer may grade in; 404 for missing and forbidden alike."""
    v = get_viewer(viewer)
    assessment = get_object_for(
        v,
        Assessment.objects.filter(school_id=v.school_id).select_related(
            "school_class", "category", "school", "term", "subject"
        ),
        pk=assessment_id,
    )
    if not permissions.can_grade(
        v,
        school_class=assessment.school_class,
        subject_id=assessment.subject_id,
        group_id=assessment.group_id,
    ):
        raise Http404
    return assessment


def column_grade_count(assessment: Assessment) -> int:
    """How many grades (corrections included) deleting the column would remove."""
    return Grade.objects.filter(assessment=assessment).count()


def cell_grade(assessment: Assessment, student: Student) -> Grade | None:
    """The student's own (not correcting) grade in a column the viewer may grade."""
    return Grade.objects.filter(
        assessment=assessment, student=student, corrects__isnull=True
    ).first()


def cell_state(assessment: Assessment, student: Student, rules: Rules):
    """After a cell is saved: the cell's grade, its correction, and the student's new
    average in the column's subject and term. One query."""
    grades = list(
        Grade.objects.filter(
            student=student,
            assessment__subject_id=assessment.subject_id,
            assessment__term_id=assessment.term_id,
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    )
    entries = [
        entry_for(g, g.assessment, g.assessment.category.counts_towards_average) for g in grades
    ]
    own = next(
        (g for g in grades if g.assessment_id == assessment.pk and g.corrects_id is None), None
    )
    correction = next((g for g in grades if own is not None and g.corrects_id == own.pk), None)
    return own, correction, weighted_average(entries, rules)


def teacher_gradebooks(viewer) -> QuerySet[TeachingAssignment]:
    """The gradebooks the viewer may open: their own assignments (principal: all)."""
    v = get_viewer(viewer)
    qs = TeachingAssignment.objects.filter(school_id=v.school_id).select_related(
        "subject", "school_class", "group", "teacher"
    )
    if not v.is_principal:
        qs = qs.filter(Q(teacher_id=v.user_id) | Q(school_class_id__in=list(v.led_class_ids)))
    return qs.order_by("school_class__level", "school_class__name", "subject__name", "group__name")
