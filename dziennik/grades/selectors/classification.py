"""Term and final grades, their proposals, and behaviour grades: the sheets of a class.

A sheet's cells show what is saved, or – after a refused save – what the teacher typed,
with the reason next to each bad cell (``show_input``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from dziennik.schools.models import SchoolClass, Student, Term
from dziennik.schools.viewer import Viewer

from .. import permissions
from ..models import BehaviourGrade, ClassificationGrade, Grade
from ..outcomes import describe
from ..rules import Entry, weighted_average
from ..sheets import BEHAVIOUR_COLUMNS, CLASSIFICATION_COLUMNS, Column, cell_name, sheet_version
from .gradebook import Gradebook, roster
from .grading import entry_for, pick_term, proposal_deadline, settings_for, year_terms


@dataclass
class SheetCell:
    """One cell of a sheet: its saved row, and what its input shows."""

    column: Column
    name: str
    saved: Model | None
    saved_value: str  # the saved grade as the input shows it
    value: str  # what the input shows: the saved grade, or what was typed
    error: str = ""

    @property
    def key(self) -> str:
        return self.column.key


@dataclass
class _Sheet:
    rows: list
    version: str
    stale: bool = field(default=False, init=False)

    def show_input(
        self, data: Mapping[str, str], errors: Mapping[str, str], *, stale=False, keep=()
    ):
        """After a refused save: each cell shows what was typed, and its error; the
        cells in ``keep`` (changed meanwhile by someone else too) show what is saved."""
        self.stale = stale
        for row in self.rows:
            for cell in row.cells.values():
                if cell.name in data and cell.name not in keep:
                    cell.value = data[cell.name]
                cell.error = errors.get(cell.name, "")


@dataclass
class ClassificationRow:
    student: Student
    average: Decimal | None  # the term's
    proposed: int | None  # the thresholds' suggestion from it
    year_average: Decimal | None
    year_proposed: int | None
    cells: dict[str, SheetCell]


@dataclass
class ClassificationSheet(_Sheet):
    deadline: datetime.date | None = None
    deadline_passed: bool = False
    shown_anyway: set[str] = field(default_factory=set)  # proposals parents see anyway
    days_left: int = 0
    proposal_kind: str = ""  # the proposal this term needs: the final one in the last term
    missing_proposals: list[Student] = field(default_factory=list)


@dataclass
class BehaviourRow:
    number: int
    student: Student
    cells: dict[str, SheetCell]


@dataclass
class BehaviourSheet(_Sheet):
    school_class: SchoolClass | None = None
    terms: list[Term] = field(default_factory=list)
    term: Term | None = None
    can_edit: bool = False


def _cells(
    student: Student,
    columns: Sequence[Column],
    saved: Mapping[str, Model],
    shown,
) -> dict[str, SheetCell]:
    cells = {}
    for column in columns:
        row = saved.get(column.key)
        value = shown(row) if row is not None else ""
        cells[column.key] = SheetCell(column, cell_name(column, student.pk), row, value, value)
    return cells


def _classification_shown(descriptive: bool):
    """What a cell's input shows of a saved grade: an outcome as typed (nkl, zw)."""
    if descriptive:
        return lambda cg: cg.outcome or cg.text
    return lambda cg: cg.outcome or ("" if cg.grade is None else str(cg.grade))


def _column_key(kind: str, is_proposal: bool) -> str:
    return f"{kind}_proposal" if is_proposal else kind


def classification_sheet(book: Gradebook, today: datetime.date | None = None):
    """Term/final grades and proposals of the gradebook's students (already authorized
    with the gradebook), with suggestions, the proposals' deadline and the students still
    without the proposal it requires."""
    student_ids = [row.student.pk for row in book.rows]
    saved_rows = list(
        ClassificationGrade.objects.filter(
            student_id__in=student_ids, subject=book.subject, term=book.term
        )
    )
    saved: dict[int, dict[str, ClassificationGrade]] = defaultdict(dict)
    students = {row.student.pk: row.student for row in book.rows}
    for cg in saved_rows:
        # the grade's name in full (G-01), an outcome in words (G-11)
        saved[cg.student_id][_column_key(cg.kind, cg.is_proposal)] = describe(
            cg, book.rules, students[cg.student_id]
        )
    grading = settings_for(book.school_class.school_id)
    deadline = proposal_deadline(book.term, grading)
    final_deadline = proposal_deadline(book.terms[-1], grading)
    today = today or timezone.localdate()
    last_term = book.term.pk == book.terms[-1].pk
    proposal_kind = ClassificationGrade.Kind.FINAL if last_term else ClassificationGrade.Kind.TERM
    shown = _classification_shown(book.school_class.has_descriptive_grades)
    year = _year_suggestions(book, student_ids)
    return ClassificationSheet(
        rows=[
            ClassificationRow(
                row.student,
                row.average,
                row.proposed,
                *year[row.student.pk],
                _cells(row.student, CLASSIFICATION_COLUMNS, saved[row.student.pk], shown),
            )
            for row in book.rows
        ],
        version=sheet_version(saved_rows),
        deadline=deadline,
        deadline_passed=today >= deadline,
        shown_anyway={
            key
            for key, day in (("term_proposal", deadline), ("final_proposal", final_deadline))
            if today >= day
        },
        days_left=(deadline - today).days,
        proposal_kind=proposal_kind,
        missing_proposals=[
            row.student
            for row in book.rows
            if _column_key(proposal_kind, True) not in saved[row.student.pk]
        ],
    )


def _year_suggestions(book: Gradebook, student_ids: list[int]) -> dict[int, tuple]:
    """Each student's (average, suggested grade) over the year so far: the final grade
    reflects the whole year (G-05)."""
    year_entries: dict[int, list[Entry]] = defaultdict(list)
    for g in (
        Grade.objects.filter(
            student_id__in=student_ids,
            assessment__subject=book.subject,
            assessment__term__in=[t.pk for t in book.terms if t.number <= book.term.number],
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    ):
        year_entries[g.student_id].append(
            entry_for(g, g.assessment, g.assessment.category.counts_towards_average)
        )
    year = {}
    for student_id in student_ids:
        avg = weighted_average(year_entries.get(student_id, []), book.rules)
        year[student_id] = (avg, book.rules.proposed_grade(avg))
    return year


def behaviour_sheet(viewer: Viewer, class_id: int, *, term_id: int | None = None) -> BehaviourSheet:
    """The behaviour grades of a class in one term, for its class teacher (who sets
    them) and the principal (who reads them); 404 for anyone else."""
    school_class = permissions.behaviour_sheets.get(
        viewer,
        class_id,
        queryset=SchoolClass.objects.select_related("class_teacher", "school_year"),
    )
    terms = year_terms(school_class.school_year_id)
    term = pick_term(terms, term_id, timezone.localdate())
    if term is None:
        raise Http404
    students = roster(school_class, None)
    saved_rows = list(
        BehaviourGrade.objects.filter(student_id__in=[s.pk for _n, s in students], term=term)
    )
    saved: dict[int, dict[str, BehaviourGrade]] = defaultdict(dict)
    for bg in saved_rows:
        saved[bg.student_id][bg.kind] = bg
    descriptive = school_class.has_descriptive_grades
    shown = (lambda bg: bg.text) if descriptive else (lambda bg: bg.value)
    return BehaviourSheet(
        rows=[
            BehaviourRow(n, s, _cells(s, BEHAVIOUR_COLUMNS, saved[s.pk], shown))
            for n, s in students
        ],
        version=sheet_version(saved_rows),
        school_class=school_class,
        terms=terms,
        term=term,
        can_edit=permissions.can_set_behaviour(viewer, school_class=school_class),
    )


def behaviour_classes(viewer: Viewer):
    """The classes whose behaviour grades the viewer sets (those they lead)."""
    return permissions.behaviour_sheets.queryset(viewer, "set").order_by("level", "name")
