"""A student's attendance page from one read of the period's marks: the rows it lists,
the day grid and the statistics, computed once (``student_page_rows``,
``student_day_grid`` and ``student_statistics`` read the same marks three times, and
stay for the other screens and the printout)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Exists, F, OuterRef

from dziennik.schools.models import Student, Term

from ..models import AttendanceKind, AttendanceMark, Justification
from .statistics import Tally
from .students import DayGrid, GridCell, _legend_order, justification_deadline

Base = AttendanceKind.Base


def student_page(
    student: Student,
    date_from: datetime.date,
    date_to: datetime.date,
    terms: list[Term],
    recent_since: datetime.date,
) -> dict:
    """``recent`` and ``absences`` (as ``student_page_rows``), ``grid`` (as
    ``student_day_grid``) and ``stats`` (as ``student_statistics``) of a period: one
    query, the student checked by the caller."""
    waiting = Justification.marks.through.objects.filter(
        attendancemark_id=OuterRef("pk"), justification__status=Justification.Status.PENDING
    )
    rows = list(
        AttendanceMark.objects.filter(student=student, date__range=(date_from, date_to))
        .annotate(pending=Exists(waiting))
        .values(
            "id",
            "date",
            "pending",
            "kind_id",
            kind_code=F("kind__code"),
            kind_name=F("kind__name"),
            kind_base=F("kind__base"),
            counts_as=F("kind__counts_as"),
            excusable=F("kind__excused_kind_id"),
            colour=F("kind__colour"),
            topic=F("lesson__topic"),
            slot=F("lesson__slot__number"),
            subject_id=F("lesson__subject_id"),
            subject=F("lesson__subject__name"),
        )
        .order_by("-date", "-lesson__slot__number", "lesson__subject__name", "pk")
    )
    return {
        **_listed(student, rows, recent_since),
        "grid": _grid(rows),
        "stats": _statistics(rows, terms),
    }


def _listed(student: Student, rows: list[dict], recent_since: datetime.date) -> dict:
    recent = [r for r in rows if r["date"] >= recent_since]
    absences = [r for r in rows if r["kind_base"] != Base.PRESENT]
    deadline = justification_deadline(student.school_id)
    for row in absences:
        # An unexcused mark without a pending excuse: until when a parent may excuse it.
        if row["excusable"] and not row["pending"] and deadline.days:
            row["justify_by"] = deadline.last_day_for(row["date"])
            row["overdue"] = row["date"] < deadline.since
    return {"recent": recent, "absences": absences}


def _grid(rows: list[dict]) -> DayGrid:
    by_day: dict[datetime.date, dict[int, list[GridCell]]] = {}
    legend: dict[str, GridCell] = {}
    for row in rows:  # newest day first; within a lesson number, by subject
        cell = GridCell(
            row["kind_code"], row["kind_name"], row["kind_base"], row["colour"], row["subject"]
        )
        by_day.setdefault(row["date"], {}).setdefault(row["slot"], []).append(cell)
        legend.setdefault(cell.code, cell)
    numbers = sorted({n for cells in by_day.values() for n in cells})
    days = [(day, [cells.get(n, []) for n in numbers]) for day, cells in by_day.items()]
    return DayGrid(numbers=numbers, days=days, legend=sorted(legend.values(), key=_legend_order))


def _statistics(rows: list[dict], terms: list[Term]) -> dict:
    overall = Tally()
    subjects: dict = defaultdict(Tally)
    months: dict = defaultdict(Tally)
    per_term: dict = defaultdict(Tally)
    for row in rows:
        counts_as, kind_id, day = row["counts_as"], row["kind_id"], row["date"]
        overall.add(counts_as, 1, kind_id)
        subjects[(row["subject_id"], row["subject"])].add(counts_as, 1, kind_id)
        months[day.replace(day=1)].add(counts_as, 1, kind_id)
        term = next((t.number for t in terms if t.start_date <= day <= t.end_date), 0)
        per_term[term].add(counts_as, 1, kind_id)
    return {
        "overall": overall,
        "subjects": sorted(((name, t) for (_, name), t in subjects.items()), key=lambda x: x[0]),
        "months": sorted(months.items(), key=lambda x: x[0]),
        "terms": [(t, per_term.get(t.number, Tally())) for t in terms],
    }
