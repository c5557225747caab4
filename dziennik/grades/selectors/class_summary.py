"""The class teacher's grade summary of their class (*zestawienie ocen klasy*): every
subject's average per student, the proposed and the given term (or final) grades, and
who is at risk of failing – in a fixed number of queries, whatever the class's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils import timezone

from dziennik.schools.models import SchoolClass, Student, Subject, TeachingAssignment, Term
from dziennik.schools.viewer import Viewer

from .. import permissions
from ..models import ClassificationGrade, Grade, StudentAverage
from ..rules import overall_average, quantize, weighted_average
from .gradebook import roster
from .grading import load_rules, pick_term, settings_for, year_terms
from .report import grade_entry


@dataclass
class SummaryCell:
    """One student's standing in one subject."""

    average: Decimal | None = None
    proposed: ClassificationGrade | None = None
    grade: ClassificationGrade | None = None
    at_risk: bool = False


@dataclass
class SummarySubject:
    subject: Subject
    teachers: list[str]
    class_average: Decimal | None = None
    proposals: int = 0
    grades: int = 0
    at_risk: int = 0


@dataclass
class SummaryRow:
    journal_number: int
    student: Student
    cells: list[SummaryCell]
    overall: Decimal | None = None
    risks: list[str] = field(default_factory=list)  # names of the subjects at risk


@dataclass
class ClassSummary:
    school_class: SchoolClass
    terms: list[Term]
    term: Term
    final: bool  # the year's last term: the proposals and grades are the final ones
    pass_threshold: Decimal
    subjects: list[SummarySubject]
    rows: list[SummaryRow]

    @property
    def at_risk(self) -> list[SummaryRow]:
        return [row for row in self.rows if row.risks]


def _subjects(school_class: SchoolClass) -> list[SummarySubject]:
    """The class's subjects (whole class or its groups) with their teachers, by name."""
    found: dict[int, SummarySubject] = {}
    assignments = (
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("subject", "teacher")
        .only(
            "subject__name",
            "subject__counts_towards_average",
            "subject__school_id",
            "teacher__first_name",
            "teacher__last_name",
        )
        .order_by("subject__name")
    )
    for a in assignments:
        item = found.setdefault(a.subject_id, SummarySubject(a.subject, []))
        name = a.teacher.get_full_name()
        if name not in item.teachers:
            item.teachers.append(name)
    return list(found.values())


def _is_fail(cg: ClassificationGrade | None) -> bool:
    """A proposed or given *niedostateczny* (1) or *nieklasyfikowany* (G-11); a descriptive
    grade is never counted."""
    return cg is not None and (
        cg.grade == 1 or cg.outcome == ClassificationGrade.Outcome.UNCLASSIFIED
    )


def class_summary(
    viewer: Viewer, class_id: int, *, term_id: int | None = None, today: datetime.date | None = None
) -> ClassSummary:
    """The grade summary of a class in one term for its class teacher and the principal
    (404 for anyone else). A student is at risk in a subject when their average is below
    the school's passing threshold or a 1 is proposed or given."""
    school_class = permissions.behaviour_sheets.get(
        viewer, class_id, queryset=SchoolClass.objects.select_related("school_year")
    )
    terms = year_terms(school_class.school_year_id)
    term = pick_term(terms, term_id, today or timezone.localdate())
    if term is None:
        raise Http404
    final = term.pk == terms[-1].pk
    kind = ClassificationGrade.Kind.FINAL if final else ClassificationGrade.Kind.TERM
    threshold = settings_for(school_class.school_id).pass_threshold
    subjects = _subjects(school_class)
    students = roster(school_class, None)
    ids = [s.pk for _n, s in students]
    averages = (
        _year_averages(ids, terms, load_rules(school_class.school_id))
        if final
        else {
            (a.student_id, a.subject_id): a.average
            for a in StudentAverage.objects.filter(term=term, student_id__in=ids).only(
                "student_id", "subject_id", "average"
            )
        }
    )
    classified: dict[tuple[int, int], dict[bool, ClassificationGrade]] = defaultdict(dict)
    for cg in ClassificationGrade.objects.filter(term=term, kind=kind, student_id__in=ids).only(
        "student_id", "subject_id", "is_proposal", "grade", "text", "outcome"
    ):
        classified[(cg.student_id, cg.subject_id)][cg.is_proposal] = cg
    rows = [
        _row(number, student, subjects, averages, classified, threshold)
        for number, student in students
    ]
    for index, item in enumerate(subjects):
        cells = [row.cells[index] for row in rows]
        values = [c.average for c in cells if c.average is not None]
        item.class_average = quantize(sum(values) / len(values)) if values else None
        item.proposals = sum(1 for c in cells if c.proposed is not None)
        item.grades = sum(1 for c in cells if c.grade is not None)
        item.at_risk = sum(1 for c in cells if c.at_risk)
    return ClassSummary(school_class, terms, term, final, threshold, subjects, rows)


def _year_averages(ids: list[int], terms: list[Term], rules) -> dict[tuple[int, int], Decimal]:
    """Each student's average per subject over the whole year (one query): the final
    grade reflects the whole year, not the last term alone (G-05)."""
    entries: dict[tuple[int, int], list] = defaultdict(list)
    for g in (
        Grade.objects.filter(student_id__in=ids, assessment__term__in=[t.pk for t in terms])
        .order_by("created_at", "pk")
        .values_list(*_YEAR_COLUMNS, named=True)
    ):
        entries[(g.student_id, g.assessment__subject_id)].append(grade_entry(g))
    found = {key: weighted_average(items, rules) for key, items in entries.items()}
    return {key: value for key, value in found.items() if value is not None}


_YEAR_COLUMNS = (
    "pk",
    "student_id",
    "symbol",
    "points",
    "corrects_id",
    "created_at",
    "assessment__subject_id",
    "assessment__weight",
    "assessment__kind",
    "assessment__max_points",
    "assessment__date",
    "assessment__category__counts_towards_average",
)


def _row(number, student, subjects, averages, classified, threshold) -> SummaryRow:
    cells = []
    risks = []
    for item in subjects:
        key = (student.pk, item.subject.pk)
        saved = classified.get(key, {})
        cell = SummaryCell(averages.get(key), saved.get(True), saved.get(False))
        cell.at_risk = (
            (cell.average is not None and cell.average < threshold)
            or _is_fail(cell.proposed)
            or _is_fail(cell.grade)
        )
        if cell.at_risk:
            risks.append(item.subject.name)
        cells.append(cell)
    overall = overall_average(
        c.average for c, s in zip(cells, subjects, strict=True) if s.subject.counts_towards_average
    )
    return SummaryRow(number, student, cells, overall, risks)
