"""Reads of the lesson register, always through the viewer, with fixed query counts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dziennik.core.cache import cached, config_scope
from dziennik.schools import selectors as school_selectors
from dziennik.schools.models import Enrolment, SchoolClass, SchoolYear, Student, Term
from dziennik.schools.viewer import NOTHING, get_object_for, get_viewer
from dziennik.timetable import selectors as timetable

from .models import (
    AttendanceAlert,
    AttendanceKind,
    AttendanceMark,
    AttendanceSettings,
    Justification,
    Lesson,
    SubjectExemption,
)

Counts = AttendanceKind.Counts
Base = AttendanceKind.Base
ONE_DECIMAL = Decimal("0.1")


def settings_for(school_id: int) -> AttendanceSettings:
    """The school's attendance settings (defaults when the school never changed them),
    kept until the configuration changes."""
    return cached(
        f"attendance-settings:{school_id}",
        [config_scope(school_id)],
        lambda: (
            AttendanceSettings.objects.filter(school_id=school_id).first()
            or AttendanceSettings(school_id=school_id)
        ),
    )


def kinds_by_id(school_id: int) -> dict[int, AttendanceKind]:
    """The school's attendance kinds by id (kept until the configuration changes)."""
    return cached(
        f"attendance-kinds:{school_id}",
        [config_scope(school_id)],
        lambda: {k.pk: k for k in AttendanceKind.objects.filter(school_id=school_id)},
    )


def active_kinds(kinds: dict[int, AttendanceKind]) -> list[AttendanceKind]:
    return sorted((k for k in kinds.values() if k.is_active), key=lambda k: (k.order, k.code))


def default_kind(kinds: dict[int, AttendanceKind]) -> AttendanceKind:
    """The kind every student starts with: present."""
    for kind in active_kinds(kinds):
        if kind.base == Base.PRESENT:
            return kind
    raise LookupError("The school has no 'present' attendance kind.")


def year_and_terms(school_id: int, day: datetime.date) -> tuple[SchoolYear | None, list[Term]]:
    """The school year running on ``day`` and its terms in order (kept until the
    configuration changes)."""
    return cached(
        f"year-and-terms:{school_id}:{day.isoformat()}",
        [config_scope(school_id)],
        lambda: _year_and_terms(school_id, day),
    )


def _year_and_terms(school_id: int, day: datetime.date) -> tuple[SchoolYear | None, list[Term]]:
    """One query when the year has terms; the year alone is looked up only when it has none."""
    year_id = (
        SchoolYear.objects.filter(school_id=school_id, start_date__lte=day, end_date__gte=day)
        .order_by("-start_date")
        .values("pk")[:1]
    )
    terms = list(
        Term.objects.filter(school_year_id=Subquery(year_id))
        .select_related("school_year")
        .order_by("number")
    )
    if terms:
        return terms[0].school_year, terms
    return school_selectors.current_school_year(school_id, day), []


# --- statistics ---------------------------------------------------------------------
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


def class_statistics(school_class: SchoolClass, date_from, date_to) -> dict:
    """A class's attendance per student and per subject (3 queries)."""
    enrolments = list(
        Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
        .select_related("student")
        .order_by("journal_number")
    )
    marks = AttendanceMark.objects.filter(
        lesson__school_class=school_class, date__range=(date_from, date_to)
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


def school_statistics(viewer, date_from, date_to) -> list[tuple[SchoolClass, Tally]]:
    """Attendance per class for the principal (2 queries)."""
    v = get_viewer(viewer)
    if not v.is_school_wide:
        return []
    classes = list(
        SchoolClass.objects.filter(v.class_filter())
        .select_related("class_teacher")
        .order_by("level", "name")
    )
    per_class = tally(
        AttendanceMark.objects.filter(
            lesson__school_id=v.school_id, date__range=(date_from, date_to)
        ),
        "lesson__school_class_id",
    )
    return [(c, per_class.get(c.pk, Tally())) for c in classes]


# --- lessons ------------------------------------------------------------------------
def lesson_queryset(viewer) -> QuerySet[Lesson]:
    """Lessons a member of staff may open: their own, their class's (class teacher),
    all of the school for the principal and secretary."""
    v = get_viewer(viewer)
    if not v.is_authenticated or not v.is_staff_member:
        return Lesson.objects.filter(NOTHING)
    if v.is_school_wide:
        return Lesson.objects.filter(school_id=v.school_id)
    return Lesson.objects.filter(
        Q(teacher_id=v.user_id) | Q(school_class_id__in=v.led_class_ids), school_id=v.school_id
    )


def get_lesson_for(viewer, lesson_id: int, *, related: bool = True) -> Lesson:
    """The lesson, if the viewer may open it; ``related=False`` for a write, which needs
    only the lesson's own columns (no joins)."""
    queryset = lesson_queryset(viewer)
    if related:
        queryset = queryset.select_related("slot", "subject", "teacher", "school_class", "group")
    return get_object_for(viewer, queryset, pk=lesson_id)


def lesson_label(lesson: Lesson) -> str:
    """The lesson's name for the history, e.g. "27.11.2026 2. Matematyka – 4a". A lesson's
    date, slot, subject and class never change once it is open, so the name is kept until
    the configuration (the names) changes."""
    return cached(
        f"lesson-label:{lesson.pk}",
        [config_scope(lesson.school_id)],
        lambda: str(
            Lesson.objects.select_related("slot", "subject", "school_class", "group").get(
                pk=lesson.pk
            )
        ),
    )


@dataclass
class RosterRow:
    student: Student
    journal_number: int
    exempt: bool = False
    mark: AttendanceMark | None = None
    previous_kind_id: int | None = None


def _roster_enrolments(lesson: Lesson) -> QuerySet[Enrolment]:
    """Enrolments of the lesson's students on its date (class or group), journal order."""
    day = lesson.date
    enrolments = Enrolment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        school_class_id=lesson.school_class_id,
        start_date__lte=day,
    )
    if lesson.group_id:
        enrolments = enrolments.filter(student__class_groups=lesson.group_id)
    return enrolments.order_by("journal_number", "student_id")


def _exempt_ids(lesson: Lesson, student_ids: list[int]) -> set[int]:
    """Those of ``student_ids`` exempt from the lesson's subject who need not attend."""
    return set(
        SubjectExemption.objects.filter(
            student_id__in=student_ids,
            subject_id=lesson.subject_id,
            date_from__lte=lesson.date,
            date_to__gte=lesson.date,
            must_attend=False,
        ).values_list("student_id", flat=True)
    )


def lesson_roster(lesson: Lesson) -> list[RosterRow]:
    """The students of the lesson on its date (class or group), in journal order, with
    students exempt from the subject who need not attend marked (2 queries)."""
    rows = [
        RosterRow(student=e.student, journal_number=e.journal_number)
        for e in _roster_enrolments(lesson).select_related("student")
    ]
    exempt = _exempt_ids(lesson, [r.student.pk for r in rows])
    for row in rows:
        row.exempt = row.student.pk in exempt
    return rows


def lesson_attendee_ids(lesson: Lesson) -> list[int]:
    """Ids of the students whose attendance the lesson takes: the roster of
    ``lesson_roster`` without the exempt, in journal order. Enrolments, groups and
    exemptions are configuration, so the list is kept until the configuration changes
    (2 light queries when it is not kept)."""

    def build() -> list[int]:
        ids = list(_roster_enrolments(lesson).values_list("student_id", flat=True))
        exempt = _exempt_ids(lesson, ids)
        return [i for i in ids if i not in exempt]

    return cached(
        f"lesson-attendees:{lesson.school_class_id}:{lesson.group_id}:{lesson.subject_id}:"
        f"{lesson.date.isoformat()}",
        [config_scope(lesson.school_id)],
        build,
    )


def lesson_sheet(lesson: Lesson) -> list[RosterRow]:
    """The roster with each student's current mark and their mark at the previous
    lesson of the same class or group (for "same as previous lesson")."""
    rows = lesson_roster(lesson)
    marks = {m.student_id: m for m in AttendanceMark.objects.filter(lesson=lesson)}
    previous = previous_lesson(lesson)
    prev_marks = {}
    if previous is not None:
        prev_marks = dict(
            AttendanceMark.objects.filter(lesson=previous).values_list("student_id", "kind_id")
        )
    for row in rows:
        row.mark = marks.get(row.student.pk)
        row.previous_kind_id = prev_marks.get(row.student.pk)
    return rows


def previous_lesson(lesson: Lesson) -> Lesson | None:
    """The latest earlier lesson of the same class (or group) that has attendance."""
    same = Q(group_id=lesson.group_id) if lesson.group_id else Q(group__isnull=True)
    return (
        Lesson.objects.filter(
            same,
            school_class_id=lesson.school_class_id,
            attendance_taken_at__isnull=False,
        )
        .filter(Q(date__lt=lesson.date) | Q(date=lesson.date, slot__number__lt=lesson.slot.number))
        .order_by("-date", "-slot__number")
        .first()
    )


def lessons_missing(viewer, date_from, date_to) -> dict:
    """Lessons without a topic or attendance, and planned lessons never opened (L-09).

    A teacher sees their own; the principal the whole school.
    """

    v = get_viewer(viewer)
    if not v.is_staff_member:
        return {"lessons": [], "unopened": []}
    lessons = (
        lesson_queryset(v)
        .filter(date__range=(date_from, date_to))
        .filter(Q(topic="") | Q(attendance_taken_at__isnull=True))
        .select_related("slot", "subject", "teacher", "school_class", "group")
        .order_by("date", "slot__number")
    )
    if not v.is_school_wide:
        lessons = lessons.filter(teacher_id=v.user_id)
    if v.is_school_wide:
        entries = timetable.TimetableEntry.objects.filter(school_id=v.school_id)
        occurrences = timetable.expand(entries, date_from, date_to, school_id=v.school_id)
    else:
        occurrences = timetable.teacher_occurrences(v, date_from, date_to)
        occurrences = [o for o in occurrences if o.teacher.pk == v.user_id]
    opened = set(
        Lesson.objects.filter(school_id=v.school_id, date__range=(date_from, date_to)).values_list(
            "school_class_id", "group_id", "date", "slot_id"
        )
    )
    unopened = [
        o
        for o in occurrences
        if o.takes_place
        and (o.entry.school_class_id, o.entry.group_id, o.date, o.slot.pk) not in opened
    ]
    return {"lessons": list(lessons), "unopened": unopened}


def lessons_by_occurrence(occurrences, school_id: int) -> dict:
    """Existing lessons for a list of occurrences, keyed by (class, group, date, slot)."""
    if not occurrences:
        return {}
    dates = [o.date for o in occurrences]
    lessons = Lesson.objects.filter(
        school_id=school_id,
        date__range=(min(dates), max(dates)),
        school_class_id__in={o.entry.school_class_id for o in occurrences},
    )
    return {(les.school_class_id, les.group_id, les.date, les.slot_id): les for les in lessons}


# --- a student's attendance ---------------------------------------------------------
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
    return recent, absences


def justifiable_marks(student: Student) -> QuerySet[AttendanceMark]:
    """Unexcused absences and lateness with no pending excuse, within the deadline."""
    config = settings_for(student.school_id)
    qs = AttendanceMark.objects.filter(student=student, kind__excused_kind__isnull=False).exclude(
        justifications__status=Justification.Status.PENDING
    )
    if config.justification_deadline_days:
        since = timezone.localdate() - datetime.timedelta(days=config.justification_deadline_days)
        qs = qs.filter(date__gte=since)
    return qs.select_related("lesson__subject", "lesson__slot", "kind").order_by(
        "date", "lesson__slot__number"
    )


def current_class_ids(student_ids) -> list[tuple[int, int]]:
    return list(
        Enrolment.objects.filter(
            student_id__in=list(student_ids), end_date__isnull=True
        ).values_list("student_id", "school_class_id")
    )


def student_justifications(student: Student) -> list[Justification]:
    return list(
        Justification.objects.filter(student=student)
        .defer("reason", "attachment")
        .order_by("-submitted_at", "-id")[:50]
    )


def justification_queryset(viewer) -> QuerySet[Justification]:
    """Excuses the viewer may see: their children's / their own, their class's, or the
    whole school's for the principal."""
    v = get_viewer(viewer)
    if not v.is_authenticated or v.school_id is None:
        return Justification.objects.filter(NOTHING)
    if v.is_school_wide:
        return Justification.objects.filter(school_id=v.school_id)
    q = Q(student_id__in=list(v.child_ids)) | Q(school_class_id__in=list(v.led_class_ids))
    if v.student_id:
        q |= Q(student_id=v.student_id)
    return Justification.objects.filter(q, school_id=v.school_id)


def get_justification_for(viewer, justification_id: int) -> Justification:
    return get_object_for(
        viewer,
        justification_queryset(viewer).select_related(
            "student", "school_class", "submitted_by", "decided_by"
        ),
        pk=justification_id,
    )


def justifications_to_decide(viewer, status: str | None = None) -> QuerySet[Justification]:
    """Excuses for the class teacher's classes (or the whole school for the principal)."""
    v = get_viewer(viewer)
    qs = justification_queryset(v)
    if not v.is_principal:
        qs = qs.filter(school_class_id__in=list(v.led_class_ids))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("student", "school_class", "submitted_by").order_by(
        "status", "-submitted_at"
    )


def justification_marks(justification: Justification) -> list[AttendanceMark]:
    return list(
        justification.marks.select_related("kind", "lesson__subject", "lesson__slot").order_by(
            "date", "lesson__slot__number"
        )
    )


# --- alerts -------------------------------------------------------------------------
def alerts_for_students(student_ids, *, since: datetime.date) -> list[AttendanceAlert]:
    return list(
        AttendanceAlert.objects.filter(student_id__in=list(student_ids), is_active=True)
        .filter(Q(date__gte=since) | Q(kind=AttendanceAlert.Kind.RISK))
        .select_related("student", "lesson__subject", "lesson__slot", "subject", "term")
        .order_by("-date", "student__last_name", "id")[:50]
    )


def alerts_for_classes(class_ids, *, since: datetime.date) -> list[AttendanceAlert]:
    return list(
        AttendanceAlert.objects.filter(school_class_id__in=list(class_ids), is_active=True)
        .filter(
            Q(date__gte=since, kind=AttendanceAlert.Kind.SELECTIVE)
            | Q(kind=AttendanceAlert.Kind.RISK)
        )
        .select_related("student", "school_class", "lesson__subject", "lesson__slot", "subject")
        .order_by("-date", "student__last_name", "id")[:50]
    )


def recent_absences(student_ids, *, since: datetime.date) -> list[AttendanceMark]:
    return list(
        AttendanceMark.objects.filter(student_id__in=list(student_ids), date__gte=since)
        .exclude(kind__base=Base.PRESENT)
        .select_related("kind", "student", "lesson__subject", "lesson__slot")
        .order_by("-date", "-lesson__slot__number")[:20]
    )


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
