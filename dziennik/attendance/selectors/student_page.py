"""A student's attendance page from one read of the period's marks: the rows it lists,
the day grid and the statistics, computed once (``student_page_rows``,
``student_day_grid`` and ``student_statistics`` read the same marks three times, and
stay for the other screens and the printout)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.db.models import Exists, OuterRef

from dziennik.schools.models import Student, Term

from ..models import AttendanceKind, AttendanceMark, Justification
from .statistics import Tally
from .students import (
    DayGrid,
    GridCell,
    JustificationDeadline,
    _legend_order,
    justification_deadline,
)

Base = AttendanceKind.Base


def student_page(
    student: Student,
    date_from: datetime.date,
    date_to: datetime.date,
    terms: list[Term],
    recent_since: datetime.date,
) -> dict:
    """``recent`` and ``absences`` (as ``student_page_rows``), ``grid`` (as
    ``student_day_grid``), ``stats`` (as ``student_statistics``) and the school's
    ``deadline`` (``justification_deadline``) of a period: one query, the student checked
    by the caller."""
    waiting = Justification.marks.through.objects.filter(
        attendancemark_id=OuterRef("pk"), justification__status=Justification.Status.PENDING
    )
    # tuples, not dicts: the grid and the statistics read every mark, the two lists a few
    rows = list(
        AttendanceMark.objects.filter(student=student, date__range=(date_from, date_to))
        .annotate(pending=Exists(waiting))
        .values_list(*_FIELDS)
        .order_by("-date", "-lesson__slot__number", "lesson__subject__name", "pk")
    )
    deadline = justification_deadline(student.school_id)
    return {
        **_listed(rows, recent_since, deadline),
        "deadline": deadline,
        "grid": _grid(rows),
        "stats": _statistics(rows, terms),
    }


# The row of a mark: the names ``student_page_rows`` gives its rows (and three more).
_NAMES = (
    "id",
    "date",
    "pending",
    "kind_id",
    "kind_code",
    "kind_name",
    "kind_base",
    "counts_as",
    "excusable",
    "colour",
    "topic",
    "slot",
    "subject_id",
    "subject",
)
_FIELDS = (
    "id",
    "date",
    "pending",
    "kind_id",
    "kind__code",
    "kind__name",
    "kind__base",
    "kind__counts_as",
    "kind__excused_kind_id",
    "kind__colour",
    "lesson__topic",
    "lesson__slot__number",
    "lesson__subject_id",
    "lesson__subject__name",
)
(ID, DATE, PENDING, KIND_ID, CODE, NAME, BASE, COUNTS_AS, EXCUSABLE, COLOUR) = range(10)
TOPIC, SLOT, SUBJECT_ID, SUBJECT = range(10, 14)


def _listed(
    rows: list[tuple], recent_since: datetime.date, deadline: JustificationDeadline
) -> dict:
    recent, absences = [], []
    present = Base.PRESENT
    for r in rows:  # a dict only for a row listed, the same one in both lists
        is_recent, is_absence = r[DATE] >= recent_since, r[BASE] != present
        if is_recent or is_absence:
            row = dict(zip(_NAMES, r, strict=True))
            if is_recent:
                recent.append(row)
            if is_absence:
                absences.append(row)
    for row in absences:
        # An unexcused mark without a pending excuse: until when a parent may excuse it.
        if row["excusable"] and not row["pending"] and deadline.days:
            row["justify_by"] = deadline.last_day_for(row["date"])
            row["overdue"] = row["date"] < deadline.since
    return {"recent": recent, "absences": absences}


def _grid(rows: list[tuple]) -> DayGrid:
    by_day: dict[datetime.date, dict[int, list[GridCell]]] = {}
    legend: dict[str, GridCell] = {}
    cells: dict[tuple, GridCell] = {}  # one cell per kind and subject, shared
    for row in rows:  # newest day first; within a lesson number, by subject
        key = (row[CODE], row[NAME], row[BASE], row[COLOUR], row[SUBJECT])
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = GridCell(*key)
            legend.setdefault(cell.code, cell)
        by_day.setdefault(row[DATE], {}).setdefault(row[SLOT], []).append(cell)
    numbers = sorted({n for cells in by_day.values() for n in cells})
    days = [(day, [cells.get(n, []) for n in numbers]) for day, cells in by_day.items()]
    return DayGrid(numbers=numbers, days=days, legend=sorted(legend.values(), key=_legend_order))


def _statistics(rows: list[tuple], terms: list[Term]) -> dict:
    # the marks counted by what tells the tallies apart (a few dozen keys, not a row
    # each), then added to the tallies
    month_and_term: dict = {}
    for day in {r[DATE] for r in rows}:
        term = next((t.number for t in terms if t.start_date <= day <= t.end_date), 0)
        month_and_term[day] = (day.replace(day=1), term)
    counted = Counter(
        (r[COUNTS_AS], r[KIND_ID], r[SUBJECT_ID], r[SUBJECT], *month_and_term[r[DATE]])
        for r in rows
    )
    overall = Tally()
    subjects: dict = defaultdict(Tally)
    months: dict = defaultdict(Tally)
    per_term: dict = defaultdict(Tally)
    for (counts_as, kind_id, subject_id, subject, month, term), n in counted.items():
        overall.add(counts_as, n, kind_id)
        subjects[(subject_id, subject)].add(counts_as, n, kind_id)
        months[month].add(counts_as, n, kind_id)
        per_term[term].add(counts_as, n, kind_id)
    return {
        "overall": overall,
        "subjects": sorted(((name, t) for (_, name), t in subjects.items()), key=lambda x: x[0]),
        "months": sorted(months.items(), key=lambda x: x[0]),
        "terms": [(t, per_term.get(t.number, Tally())) for t in terms],
    }
