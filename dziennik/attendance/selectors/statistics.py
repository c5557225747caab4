"""Attendance statistics: tallies of marks by the kinds' counting rule (A-03), for a
student, a class and the whole school, and a class's monthly sheet. Each takes a student
or class the caller has already checked (``permissions.student_attendance``,
``permissions.class_attendance``) and runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth

from dziennik.schools.models import Enrolment, SchoolClass, Student, Term
from dziennik.schools.viewer import Viewer

from .. import permissions
from ..models import AttendanceKind, AttendanceMark

Counts = AttendanceKind.Counts
ONE_DECIMAL = Decimal("0.1")


@dataclass
class Tally:
    """Counts of marks by counting rule, and by kind; ``percent`` per VULCAN (A-03)."""

    present: int = 0
    absent: int = 0
    excluded: int = 0
    by_kind: dict[int, int] = field(default_factory=dict)

    def add(self, counts_as: str, n: int, kind_id: int | None = None) -> None:
        if counts_as == Counts.PRESENT:
            self.present += n
        elif counts_as == Counts.ABSENT:
            self.absent += n
        else:
            self.excluded += n
        if kind_id is not None:
            self.by_kind[kind_id] = self.by_kind.get(kind_id, 0) + n

    @property
    def counted(self) -> int:
        return self.present + self.absent

    @property
    def total(self) -> int:
        return self.present + self.absent + self.excluded

    @property
    def percent(self) -> Decimal | None:
        return percent(self.present, self.absent)


def percent(present: int, absent: int) -> Decimal | None:
    if present + absent == 0:
        return None
    return (Decimal(present) * 100 / Decimal(present + absent)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def tally(marks: QuerySet[AttendanceMark], *group_by: str) -> dict:
    """Tallies of ``marks`` grouped by ``group_by`` (one query)."""
    rows = marks.values(*group_by, "kind_id", "kind__counts_as").annotate(n=Count("id")).order_by()
    result: dict = defaultdict(Tally)
    for row in rows:
        key = tuple(row[g] for g in group_by) if len(group_by) != 1 else row[group_by[0]]
        if not group_by:
            key = None
        result[key].add(row["kind__counts_as"], row["n"], row["kind_id"])
    return dict(result)


def term_case(terms: list[Term]):
    return Case(
        *(When(date__range=(t.start_date, t.end_date), then=Value(t.number)) for t in terms),
        default=Value(0),
        output_field=IntegerField(),
    )


def student_statistics(student: Student, date_from, date_to, terms: list[Term]) -> dict:
    """Attendance of one student: overall, per subject, per month, per term (one query).

    The database counts the marks grouped by subject, month, term and kind; the few
    resulting rows are summed here into the four views by the kinds' counting rules.
    """
    rows = (
        AttendanceMark.objects.filter(student=student, date__range=(date_from, date_to))
        .annotate(month=TruncMonth("date"), term=term_case(terms) if terms else Value(0))
        .values(
            "lesson__subject_id",
            "lesson__subject__name",
            "month",
            "term",
            "kind_id",
            "kind__counts_as",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    overall = Tally()
    subjects: dict = defaultdict(Tally)
    months: dict = defaultdict(Tally)
    per_term: dict = defaultdict(Tally)
    for row in rows:
        counts_as, n, kind_id = row["kind__counts_as"], row["n"], row["kind_id"]
        overall.add(counts_as, n, kind_id)
        subjects[(row["lesson__subject_id"], row["lesson__subject__name"])].add(
            counts_as, n, kind_id
        )
        months[row["month"]].add(counts_as, n, kind_id)
        per_term[row["term"]].add(counts_as, n, kind_id)
    return {
        "overall": overall,
        "subjects": sorted(((name, t) for (_, name), t in subjects.items()), key=lambda x: x[0]),
        "months": sorted(months.items(), key=lambda x: x[0]),
        "terms": [(t, per_term.get(t.number, Tally())) for t in terms],
    }


def class_statistics(viewer: Viewer, school_class: SchoolClass, date_from, date_to) -> dict:
    """A class's attendance per student and per subject, of the students the viewer's
    summary shows (``permissions.class_attendance.summary_students``: a group's teacher
    sees the group only, its counts too). 3 queries."""
    shown = permissions.class_attendance.summary_students(viewer, school_class)
    enrolments = list(
        Enrolment.objects.filter(shown, school_class=school_class, end_date__isnull=True)
        .select_related("student")
        .order_by("journal_number")
    )
    marks = AttendanceMark.objects.filter(
        shown, lesson__school_class=school_class, date__range=(date_from, date_to)
    )
    per_student = tally(marks, "student_id")
    per_subject = tally(marks, "lesson__subject__name")
    overall = Tally()
    for t in per_student.values():
        overall.present += t.present
        overall.absent += t.absent
        overall.excluded += t.excluded
    return {
        "rows": [(e, per_student.get(e.student_id, Tally())) for e in enrolments],
        "subjects": sorted(per_subject.items()),
        "overall": overall,
    }


def school_statistics(viewer: Viewer, date_from, date_to) -> list[tuple[SchoolClass, Tally]]:
    """Attendance per class for the principal, deputy and secretary (2 queries)."""
    if not permissions.sees_school_attendance(viewer):
        return []
    classes = list(
        permissions.class_attendance.queryset(viewer, "summary")
        .select_related("class_teacher")
        .order_by("level", "name")
    )
    per_class = tally(
        AttendanceMark.objects.filter(
            lesson__school_id=viewer.school_id, date__range=(date_from, date_to)
        ),
        "lesson__school_class_id",
    )
    return [(c, per_class.get(c.pk, Tally())) for c in classes]


def month_sheet(school_class: SchoolClass, first_day: datetime.date, last_day: datetime.date):
    """The monthly attendance sheet of a class: per student, per day, the codes of the
    marks in lesson order (3 queries)."""
    enrolments = list(
        Enrolment.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=first_day),
            school_class=school_class,
            start_date__lte=last_day,
        )
        .select_related("student")
        .order_by("journal_number")
    )
    marks = (
        AttendanceMark.objects.filter(
            lesson__school_class=school_class, date__range=(first_day, last_day)
        )
        .values_list("student_id", "date", "lesson__slot__number", "kind__code", "kind__counts_as")
        .order_by("date", "lesson__slot__number")
    )
    cells: dict[tuple[int, datetime.date], list[str]] = defaultdict(list)
    tallies: dict[int, Tally] = defaultdict(Tally)
    days: set[datetime.date] = set()
    for student_id, day, _slot, code, counts_as in marks:
        days.add(day)
        cells[(student_id, day)].append(code)
        tallies[student_id].add(counts_as, 1)
    ordered_days = sorted(days)
    rows = [
        {
            "enrolment": e,
            "cells": [cells.get((e.student_id, d), []) for d in ordered_days],
            "tally": tallies.get(e.student_id, Tally()),
        }
        for e in enrolments
    ]
    return {"days": ordered_days, "rows": rows}
