"""Reads of one student's attendance: marks, the page's rows, lesson topics, the
absences still to justify. Each takes a student the caller has already checked
(``permissions.student_attendance``) and runs one query."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from dziennik.schools.models import Enrolment, Student
from dziennik.schools.viewer import Viewer

from .. import permissions
from ..config import settings_for
from ..models import AttendanceKind, AttendanceMark, Justification, Lesson

Base = AttendanceKind.Base


def student_marks(student: Student, date_from, date_to) -> list[AttendanceMark]:
    """All the student's marks in a period with lesson, subject, topic (one query)."""
    return list(
        AttendanceMark.objects.filter(student=student, date__range=(date_from, date_to))
        .select_related("kind", "lesson__slot", "lesson__subject")
        .only(
            "id",
            "date",
            "student_id",
            "kind__id",
            "kind__code",
            "kind__name",
            "kind__base",
            "kind__counts_as",
            "kind__colour",
            "kind__excused_kind_id",
            "lesson__id",
            "lesson__topic",
            "lesson__date",
            "lesson__slot__number",
            "lesson__slot__starts_at",
            "lesson__subject__name",
        )
        .order_by("-date", "-lesson__slot__number")
    )


def student_page_rows(
    student: Student, date_from, date_to, recent_since: datetime.date
) -> tuple[list[dict], list[dict]]:
    """What the student's attendance page lists, as plain rows (one query): the lessons
    since ``recent_since`` and every absence or lateness of the period, newest first,
    each with ``pending`` when a justification of it awaits a decision."""
    waiting = Justification.marks.through.objects.filter(
        attendancemark_id=OuterRef("pk"), justification__status=Justification.Status.PENDING
    )
    rows = list(
        AttendanceMark.objects.filter(student=student, date__range=(date_from, date_to))
        .filter(Q(date__gte=recent_since) | ~Q(kind__base=Base.PRESENT))
        .annotate(pending=Exists(waiting))
        .values(
            "id",
            "date",
            "pending",
            kind_code=F("kind__code"),
            kind_name=F("kind__name"),
            kind_base=F("kind__base"),
            counts_as=F("kind__counts_as"),
            excusable=F("kind__excused_kind_id"),
            topic=F("lesson__topic"),
            slot=F("lesson__slot__number"),
            subject=F("lesson__subject__name"),
        )
        .order_by("-date", "-lesson__slot__number")
    )
    recent = [r for r in rows if r["date"] >= recent_since]
    absences = [r for r in rows if r["kind_base"] != Base.PRESENT]
    deadline = justification_deadline(student.school_id)
    for row in absences:
        # An unexcused mark without a pending excuse: until when a parent may excuse it.
        if row["excusable"] and not row["pending"] and deadline.days:
            row["justify_by"] = deadline.last_day_for(row["date"])
            row["overdue"] = row["date"] < deadline.since
    return recent, absences


@dataclass(frozen=True)
class JustificationDeadline:
    """The school's deadline for excuses (A-05): ``days`` after the absence (0: none);
    marks dated ``since`` or later may still be excused today."""

    days: int
    since: datetime.date | None

    def last_day_for(self, day: datetime.date) -> datetime.date | None:
        return day + datetime.timedelta(days=self.days) if self.days else None


def justification_deadline(school_id: int) -> JustificationDeadline:
    return deadline_of(settings_for(school_id).justification_deadline_days)


def deadline_of(days: int) -> JustificationDeadline:
    """The deadline of ``days`` days (the school's setting, 0 for none) as of today."""
    since = timezone.localdate() - datetime.timedelta(days=days) if days else None
    return JustificationDeadline(days=days, since=since)


def _unexcused(student: Student) -> QuerySet[AttendanceMark]:
    return AttendanceMark.objects.filter(student=student, kind__excused_kind__isnull=False).exclude(
        justifications__status=Justification.Status.PENDING
    )


def justifiable_marks(student: Student) -> QuerySet[AttendanceMark]:
    """Unexcused absences and lateness with no pending excuse, within the deadline."""
    deadline = justification_deadline(student.school_id)
    qs = _unexcused(student)
    if deadline.since:
        qs = qs.filter(date__gte=deadline.since)
    return qs.select_related("lesson__subject", "lesson__slot", "kind").order_by(
        "date", "lesson__slot__number"
    )


def overdue_marks_count(student: Student) -> int:
    """Unexcused absences and lateness past the school's deadline (none without one)."""
    deadline = justification_deadline(student.school_id)
    if not deadline.since:
        return 0
    return _unexcused(student).filter(date__lt=deadline.since).count()


def current_class_ids(student_ids) -> list[tuple[int, int]]:
    return list(
        Enrolment.objects.filter(
            student_id__in=list(student_ids), end_date__isnull=True
        ).values_list("student_id", "school_class_id")
    )


def student_justifications(viewer: Viewer, student: Student) -> list[Justification]:
    """The student's newest excuses that the viewer may read (``permissions.justifications``:
    those who decide and the family)."""
    return list(
        permissions.justifications.queryset(viewer)
        .filter(student=student)
        .defer("reason", "attachment")
        .order_by("-submitted_at", "-id")[:50]
    )


def lessons_with_topics(student: Student, date_from, date_to) -> dict:
    """Topics of the student's lessons, by subject (one query)."""
    lessons = (
        Lesson.objects.filter(marks__student=student, date__range=(date_from, date_to))
        .exclude(topic="")
        .select_related("subject", "slot", "teacher")
        .order_by("subject__name", "-date", "-slot__number")
    )
    by_subject: dict[str, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_subject[lesson.subject.name].append(lesson)
    return dict(by_subject)


@dataclass(frozen=True)
class GridCell:
    code: str
    name: str
    base: str
    colour: str
    subject: str


@dataclass(frozen=True)
class DayGrid:
    """A student's attendance as days × lesson numbers (Librus's *widok dzienny*): each
    day with a mark is a row, each lesson number of the bell schedule used a column."""

    numbers: list[int]
    days: list[tuple[datetime.date, list[list[GridCell]]]]
    legend: list[GridCell]


def student_day_grid(student: Student, date_from, date_to) -> DayGrid:
    """The day × lesson grid of a period, newest day first (one query)."""
    rows = (
        AttendanceMark.objects.filter(student=student, date__range=(date_from, date_to))
        .values(
            "date",
            number=F("lesson__slot__number"),
            code=F("kind__code"),
            name=F("kind__name"),
            base=F("kind__base"),
            colour=F("kind__colour"),
            subject=F("lesson__subject__name"),
        )
        .order_by("-date", "lesson__slot__number", "lesson__subject__name")
    )
    by_day: dict[datetime.date, dict[int, list[GridCell]]] = {}
    legend: dict[str, GridCell] = {}
    for row in rows:
        cell = GridCell(row["code"], row["name"], row["base"], row["colour"], row["subject"])
        by_day.setdefault(row["date"], {}).setdefault(row["number"], []).append(cell)
        legend.setdefault(cell.code, cell)
    numbers = sorted({n for cells in by_day.values() for n in cells})
    days = [(day, [cells.get(n, []) for n in numbers]) for day, cells in by_day.items()]
    return DayGrid(numbers=numbers, days=days, legend=sorted(legend.values(), key=_legend_order))


BASE_ORDER = [b.value for b in Base]


def _legend_order(cell: GridCell) -> tuple[int, str]:
    return (BASE_ORDER.index(cell.base) if cell.base in BASE_ORDER else 99, cell.code)
