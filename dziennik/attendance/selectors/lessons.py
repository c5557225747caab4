"""Reads of lessons: which a viewer may open (``permissions.lessons``), a lesson's roster
and sheet, lessons without a topic or attendance, lessons of the plan's occurrences."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dziennik.core.cache import cached, config_scope
from dziennik.schools.models import Enrolment, Student
from dziennik.schools.viewer import Viewer
from dziennik.timetable import selectors as timetable

from .. import permissions
from ..models import AttendanceMark, Lesson, SubjectExemption

LESSON_RELATED = ("slot", "subject", "teacher", "school_class", "group")


def lesson_queryset(viewer: Viewer, action: str = "view") -> QuerySet[Lesson]:
    """Lessons ``viewer`` may open (``view``) or save (``edit``): see
    ``permissions.LessonPolicy``."""
    return permissions.lessons.queryset(viewer, action)


def get_lesson_for(
    viewer: Viewer, lesson_id: int, *, action: str = "view", related: bool = True
) -> Lesson:
    """The lesson, if ``viewer`` may ``action`` it (404 otherwise, as for a missing one);
    ``related=False`` for a write, which needs only the lesson's own columns (no joins)."""
    queryset = Lesson.objects.all()
    if related:
        queryset = queryset.select_related(*LESSON_RELATED)
    return permissions.lessons.get(viewer, lesson_id, action, queryset=queryset)


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


def student_names(student_ids, *, within: QuerySet[Student] | None = None) -> dict[int, str]:
    """Full names of the students, by id (one query); ``within`` limits whose names may be
    told (the others are left out)."""
    queryset = Student.objects.all() if within is None else within
    return {
        pk: f"{first} {last}"
        for pk, first, last in queryset.filter(pk__in=list(student_ids)).values_list(
            "pk", "first_name", "last_name"
        )
    }


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


def lessons_missing(viewer: Viewer, date_from, date_to) -> dict:
    """Lessons without a topic or attendance, and planned lessons never opened (L-09).

    A teacher sees their own; the principal, deputy and secretary the whole school's.
    """
    if not permissions.uses_register(viewer):
        return {"lessons": [], "unopened": []}
    whole_school = permissions.sees_school_attendance(viewer)
    lessons = (
        lesson_queryset(viewer)
        .filter(date__range=(date_from, date_to))
        .filter(Q(topic="") | Q(attendance_taken_at__isnull=True))
        .select_related(*LESSON_RELATED)
        .order_by("date", "slot__number")
    )
    if whole_school:
        entries = timetable.TimetableEntry.objects.filter(school_id=viewer.school_id)
        occurrences = timetable.expand(entries, date_from, date_to, school_id=viewer.school_id)
    else:
        lessons = lessons.filter(teacher_id=viewer.user_id)
        occurrences = timetable.teacher_occurrences(viewer, date_from, date_to)
        occurrences = [o for o in occurrences if o.teacher.pk == viewer.user_id]
    opened = set(
        Lesson.objects.filter(
            school_id=viewer.school_id, date__range=(date_from, date_to)
        ).values_list("school_class_id", "group_id", "date", "slot_id")
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
