"""The teacher's gradebook: the grid of one class (or group), subject and term, and
the columns and cells a teacher may grade.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
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
from dziennik.schools.viewer import Viewer, get_object_for

from .. import permissions
from ..models import Assessment, Grade, GradeCategory
from ..rules import Entry, Rules, homework_grading_forbidden, weighted_average
from .grading import categories, entry_for, load_rules, pick_term, year_terms


@dataclass
class GridRow:
    student: Student
    journal_number: int
    cells: list
    average: Decimal | None
    proposed: int | None


@dataclass
class Gradebook:
    """One gradebook as its pages show it; ``can_edit``: the viewer may grade in it."""

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
    homework_forbidden: bool = False  # G-07: this class's homework is not graded

    @property
    def marks(self) -> list[str]:
        """The special marks a teacher may type here (the grid's hint lists them)."""
        return self.rules.usable_marks(without_homework=self.homework_forbidden)

    @property
    def withheld_marks(self) -> list[str]:
        """The school's homework marks that cannot be typed here (G-07)."""
        return sorted(set(self.rules.usable_marks()) - set(self.marks))

    @property
    def usable_categories(self) -> list[GradeCategory]:
        """The categories a new column may take here (no homework where it is not graded)."""
        return [c for c in self.categories if not (c.is_homework and self.homework_forbidden)]


def gradebook_target(
    viewer: Viewer, class_id: int, subject_id: int, group_id: int | None
) -> tuple[SchoolClass, Subject, ClassGroup | None, bool]:
    """(class, subject, group, can_edit) if the viewer may open this gradebook, else 404."""
    school_class = get_object_for(
        viewer,
        SchoolClass.objects.filter(viewer.school_filter()).select_related("school_year", "school"),
        pk=class_id,
    )
    subject = get_object_for(viewer, Subject.objects.filter(viewer.school_filter()), pk=subject_id)
    group = None
    if group_id is not None:
        group = get_object_for(
            viewer, ClassGroup.objects.filter(school_class=school_class), pk=group_id
        )
    target = {"school_class": school_class, "subject_id": subject.pk, "group_id": group_id}
    can_edit = permissions.can_grade(viewer, **target)
    if not can_edit and not permissions.can_view_gradebook(viewer, **target):
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
    viewer: Viewer,
    class_id: int,
    subject_id: int,
    *,
    group_id: int | None = None,
    term_id: int | None = None,
    today: datetime.date | None = None,
) -> Gradebook:
    """The grid of a gradebook in one term (the current one unless ``term_id``): every
    column, every student's grades and average, in a fixed number of queries."""
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
    return Gradebook(
        school_class=school_class,
        subject=subject,
        group=group,
        term=term,
        terms=terms,
        assessments=assessments,
        rows=_grid_rows(roster(school_class, group), assessments, rules),
        rules=rules,
        can_edit=can_edit,
        categories=categories(school_class.school_id) if can_edit else [],
        homework_forbidden=homework_grading_forbidden(
            is_public=school_class.school.is_public,
            is_primary=school_class.school.is_primary,
            level=school_class.level,
            day=max(min(today or timezone.localdate(), term.end_date), term.start_date),
        ),
    )


def _grid_rows(
    students: list[tuple[int, Student]], assessments: list[Assessment], rules: Rules
) -> list[GridRow]:
    """Each student's cells (grade and its correction per column) and average."""
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
    return rows


def get_assessment_for_grading(viewer: Viewer, assessment_id: int) -> Assessment:
    """An assessment the viewer may grade in; 404 for missing and forbidden alike."""
    return permissions.assessments.get(
        viewer,
        assessment_id,
        "grade",
        queryset=Assessment.objects.select_related(
            "school_class", "category", "school", "term", "subject"
        ),
    )


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


def teacher_gradebooks(viewer: Viewer) -> QuerySet[TeachingAssignment]:
    """The gradebooks the viewer may open, one per teaching assignment: their own, those of
    the class they lead, any of the subjects they teach there (principal: all)."""
    return (
        permissions.gradebooks.queryset(viewer, "view")
        .select_related("subject", "school_class", "group", "teacher")
        .order_by("school_class__level", "school_class__name", "subject__name", "group__name")
    )
