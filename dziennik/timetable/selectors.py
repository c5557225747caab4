"""Reads of the timetable, always through the viewer.

The weekly plan is expanded into ``Occurrence`` objects for concrete dates: the entries
valid on each day, minus days off, with that day's changes applied (a substitution
replaces the teacher, a cancellation strikes the lesson out, a move shows the lesson
at its new date and lesson number). Every function here runs a fixed number of queries
whatever the size of the plan.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from dziennik.accounts.models import User
from dziennik.schools.models import (
    ClassGroup,
    DayOff,
    Enrolment,
    LessonSlot,
    School,
    SchoolClass,
    SchoolRole,
    Student,
    Subject,
)
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import CalendarFeed, Room, TimetableChange, TimetableEntry

_FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass
class Occurrence:
    """One lesson of the plan on one date, with that date's change applied."""

    entry: TimetableEntry
    date: datetime.date
    slot: LessonSlot
    teacher: object
    room: Room | None
    change: TimetableChange | None = None
    cancelled: bool = False
    moved_away: bool = False  # the lesson was moved from here to another date or slot
    moved_here: bool = False  # the lesson takes place here because it was moved

    @property
    def subject(self):
        return self.entry.subject

    @property
    def school_class(self):
        return self.entry.school_class

    @property
    def group(self):
        return self.entry.group

    @property
    def takes_place(self) -> bool:
        return not (self.cancelled or self.moved_away)

    @property
    def is_substitution(self) -> bool:
        return self.change is not None and self.change.kind == TimetableChange.Kind.SUBSTITUTION

    @property
    def sort_key(self):
        return (self.date, self.slot.number, self.entry.school_class.name, self.entry.pk)

    def starts(self, tz) -> datetime.datetime:
        return datetime.datetime.combine(self.date, self.slot.starts_at, tzinfo=tz)

    def ends(self, tz) -> datetime.datetime:
        return datetime.datetime.combine(self.date, self.slot.ends_at, tzinfo=tz)


ENTRY_RELATED = ("slot", "subject", "teacher", "room", "school_class", "group")


def days_off(school_id: int, date_from: datetime.date, date_to: datetime.date) -> set:
    """The dates without lessons in a range (national holidays, breaks, free days)."""
    result: set[datetime.date] = set()
    for start, end in DayOff.objects.filter(
        school_id=school_id, date_from__lte=date_to, date_to__gte=date_from
    ).values_list("date_from", "date_to"):
        day = max(start, date_from)
        while day <= min(end, date_to):
            result.add(day)
            day += datetime.timedelta(days=1)
    return result


def expand(
    entries: QuerySet[TimetableEntry],
    date_from: datetime.date,
    date_to: datetime.date,
    *,
    school_id: int,
    extra_change_filter: Q | None = None,
) -> list[Occurrence]:
    """The occurrences of ``entries`` between two dates (inclusive), changes applied.

    Three queries: entries, changes, days off. ``extra_change_filter`` adds changes of
    other entries (e.g. the lessons a teacher substitutes in).
    """
    change_q = Q(date__range=(date_from, date_to)) | Q(new_date__range=(date_from, date_to))
    entry_q = Q(entry__in=entries.values("pk"))
    if extra_change_filter is not None:
        entry_q |= extra_change_filter
    changes = list(
        TimetableChange.objects.filter(change_q, entry_q, school_id=school_id)
        .select_related("substitute_teacher", "room", "new_slot")
        .select_related(*(f"entry__{name}" for name in ENTRY_RELATED))
    )
    entry_list = list(entries.select_related(*ENTRY_RELATED))
    known = {e.pk: e for e in entry_list}
    by_occurrence: dict[tuple[int, datetime.date], TimetableChange] = {}
    for change in changes:
        change.entry = known.get(change.entry_id, change.entry)
        by_occurrence[(change.entry_id, change.date)] = change
    off = days_off(school_id, date_from, date_to)
    by_weekday: dict[int, list[TimetableEntry]] = defaultdict(list)
    for entry in entry_list:
        by_weekday[entry.weekday].append(entry)

    result: list[Occurrence] = []
    seen: set[tuple[int, datetime.date]] = set()
    day = date_from
    while day <= date_to:
        if day not in off:
            for entry in by_weekday.get(day.isoweekday(), ()):
                if not entry.is_valid_on(day):
                    continue
                result.append(_apply(entry, day, by_occurrence.get((entry.pk, day))))
                seen.add((entry.pk, day))
        day += datetime.timedelta(days=1)
    for change in changes:
        # Changes of entries outside ``entries`` (a teacher's substitutions) and moves into
        # the range from dates outside it.
        if (
            (change.entry_id, change.date) not in seen
            and date_from <= change.date <= date_to
            and change.date not in off
            and change.entry.is_valid_on(change.date)
        ):
            result.append(_apply(change.entry, change.date, change))
        if (
            change.kind == TimetableChange.Kind.MOVED
            and change.new_date is not None
            and date_from <= change.new_date <= date_to
        ):
            result.append(
                Occurrence(
                    entry=change.entry,
                    date=change.new_date,
                    slot=change.new_slot,
                    teacher=change.substitute_teacher or change.entry.teacher,
                    room=change.room or change.entry.room,
                    change=change,
                    moved_here=True,
                )
            )
    result.sort(key=lambda o: o.sort_key)
    return result


def _apply(entry: TimetableEntry, day: datetime.date, change: TimetableChange | None):
    occurrence = Occurrence(
        entry=entry, date=day, slot=entry.slot, teacher=entry.teacher, room=entry.room
    )
    if change is None:
        return occurrence
    occurrence.change = change
    if change.kind == TimetableChange.Kind.CANCELLATION:
        occurrence.cancelled = True
    elif change.kind == TimetableChange.Kind.MOVED:
        occurrence.moved_away = True
    else:
        occurrence.teacher = change.substitute_teacher
        occurrence.room = change.room or entry.room
    return occurrence


# --- whose plan ---------------------------------------------------------------------
def student_entries(student: Student, day: datetime.date) -> QuerySet[TimetableEntry]:
    """Entries of the student's class on ``day``: whole-class ones and their groups'."""
    class_ids = Enrolment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        student=student,
        start_date__lte=day + datetime.timedelta(days=6),
    ).values("school_class_id")
    return TimetableEntry.objects.filter(school_class_id__in=class_ids).filter(
        Q(group__isnull=True) | Q(group__students=student)
    )


def teacher_entries(teacher_id: int, school_id: int) -> QuerySet[TimetableEntry]:
    return TimetableEntry.objects.filter(teacher_id=teacher_id, school_id=school_id)


def student_week(student: Student, monday: datetime.date) -> list[Occurrence]:
    """The student's week (the student is already checked against the viewer)."""
    sunday = monday + datetime.timedelta(days=6)
    return expand(student_entries(student, monday), monday, sunday, school_id=student.school_id)


def class_week(school_class, monday: datetime.date) -> list[Occurrence]:
    """A class's week, all its groups included (the class is already checked)."""
    return expand(
        TimetableEntry.objects.filter(school_class=school_class),
        monday,
        monday + datetime.timedelta(days=6),
        school_id=school_class.school_id,
    )


def teacher_occurrences(
    viewer: Viewer, date_from: datetime.date, date_to: datetime.date
) -> list[Occurrence]:
    """The viewer's own lessons: their entries and the lessons they substitute in.

    Their entries taken over by someone else stay in the list, marked as substituted.
    """
    if not viewer.is_authenticated or viewer.school_id is None:
        return []
    return expand(
        teacher_entries(viewer.user_id, viewer.school_id),
        date_from,
        date_to,
        school_id=viewer.school_id,
        extra_change_filter=Q(substitute_teacher_id=viewer.user_id),
    )


@dataclass(frozen=True)
class TeacherDayOff:
    """Why a teacher has no lessons on a day, and when the next ones are."""

    day: datetime.date
    has_timetable: bool
    day_off: DayOff | None
    next_lessons: list[Occurrence]


NEXT_LESSONS_HORIZON = 21  # days looked ahead for the next lesson (a two-week break fits)


def teacher_day_without_lessons(
    viewer: Viewer, day: datetime.date, occurrences: list[Occurrence]
) -> TeacherDayOff:
    """For a day the teacher has no lessons on: whether they have a timetable at all, the
    school's day off that day (a holiday, a break) and their next day's lessons, taken
    from ``occurrences`` (their lessons from ``day`` on, see ``teacher_days_ahead``)."""
    upcoming = [o for o in occurrences if o.date > day and not o.cancelled and not o.moved_away]
    has_timetable = bool(upcoming) or (
        viewer.school_id is not None and teacher_entries(viewer.user_id, viewer.school_id).exists()
    )
    day_off = DayOff.objects.filter(
        school_id=viewer.school_id, date_from__lte=day, date_to__gte=day
    ).first()
    first = min((o.date for o in upcoming), default=None)
    return TeacherDayOff(
        day=day,
        has_timetable=has_timetable,
        day_off=day_off,
        next_lessons=sorted((o for o in upcoming if o.date == first), key=lambda o: o.slot.number),
    )


def teacher_days_ahead(viewer: Viewer, day: datetime.date) -> list[Occurrence]:
    """The teacher's lessons from ``day`` for the next three weeks (a two-week break fits)."""
    return teacher_occurrences(viewer, day, day + datetime.timedelta(days=NEXT_LESSONS_HORIZON))


def room_occurrences(room: Room, date_from, date_to) -> list[Occurrence]:
    occurrences = expand(
        TimetableEntry.objects.filter(room=room),
        date_from,
        date_to,
        school_id=room.school_id,
        extra_change_filter=Q(room=room),
    )
    return [o for o in occurrences if o.room is not None and o.room.pk == room.pk]


def room_queryset(viewer: Viewer) -> QuerySet[Room]:
    return permissions.rooms.queryset(viewer)


def get_room_for(viewer: Viewer, room_id: int) -> Room:
    return permissions.rooms.get(viewer, room_id)


def room_list(viewer: Viewer) -> QuerySet[Room]:
    return room_queryset(viewer).order_by("name")


def change_list(viewer: Viewer, date_from, date_to) -> QuerySet[TimetableChange]:
    """Changes in a date range, for the principal's list of substitutions."""
    return (
        permissions.changes.queryset(viewer, "manage")
        .filter(date__range=(date_from, date_to))
        .select_related("substitute_teacher", "room", "new_slot")
        .select_related(*(f"entry__{name}" for name in ENTRY_RELATED))
        .order_by("date", "entry__slot__number", "entry__school_class__name")
    )


def entry_queryset(viewer: Viewer) -> QuerySet[TimetableEntry]:
    """Entries the viewer may change (``permissions.entries``)."""
    return permissions.entries.queryset(viewer, "manage")


def feed_for(viewer: Viewer) -> CalendarFeed | None:
    if viewer.user_id is None:
        return None
    return CalendarFeed.objects.filter(user_id=viewer.user_id).first()


def feed_by_token(token: str) -> CalendarFeed:
    # A token is 43 URL-safe characters (``new_feed_token``); anything else is no
    # feed's, and is not even looked up (a NUL byte would fail PostgreSQL's query).
    if not _FEED_TOKEN.fullmatch(token):
        raise Http404
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return feed


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.isoweekday() - 1)


def week_grid(occurrences: list[Occurrence], monday: datetime.date, slots: list[LessonSlot]):
    """Rows per lesson number, columns per weekday (Mon–Fri, plus weekend days in use)."""
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    used_weekend = {o.date for o in occurrences if o.date.isoweekday() > 5}
    days = [d for d in days if d.isoweekday() <= 5 or d in used_weekend]
    cells: dict[tuple[int, datetime.date], list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        cells[(o.slot.number, o.date)].append(o)
    slot_numbers = {s.number for s in slots} | {o.slot.number for o in occurrences}
    slot_by_number = {s.number: s for s in slots}
    for o in occurrences:
        slot_by_number.setdefault(o.slot.number, o.slot)
    rows = [
        {"slot": slot_by_number[n], "cells": [cells.get((n, d), []) for d in days]}
        for n in sorted(slot_numbers)
    ]
    return {"days": days, "rows": rows}


def day_view(grid: dict) -> list[dict]:
    """The week grid turned by day, for phones: each day with its lessons in order."""
    return [
        {
            "date": day,
            "lessons": [
                {"slot": row["slot"], "occurrences": row["cells"][index]}
                for row in grid["rows"]
                if row["cells"][index]
            ],
        }
        for index, day in enumerate(grid["days"])
    ]


def slots_of(school_id: int) -> list[LessonSlot]:
    return list(LessonSlot.objects.filter(school_id=school_id).order_by("number"))


def get_change_for(viewer: Viewer, change_id: int) -> TimetableChange:
    return permissions.changes.get(
        viewer, change_id, "manage", queryset=TimetableChange.objects.select_related("entry")
    )


def school_teachers(viewer: Viewer) -> list:
    """Active teachers of the viewer's school (for choosing a substitute)."""
    if not permissions.can_manage_timetable(viewer):
        return []
    return list(
        User.objects.filter(
            school_id=viewer.school_id, school_roles__role="teacher", is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


# --- the principal's plan editor and import -----------------------------------------
def managed_school(viewer: Viewer) -> School:
    """The school whose plan the viewer manages, or 404 (as for a missing page)."""
    if not permissions.can_manage_timetable(viewer):
        raise Http404
    return get_object_or_404(School, pk=viewer.school_id)


def get_managed_class_for(viewer: Viewer, class_id: int) -> SchoolClass:
    """A class whose plan the viewer may change; 404 for missing and forbidden alike."""
    return permissions.class_plans.get(
        viewer, class_id, "manage", queryset=SchoolClass.objects.select_related("school_year")
    )


def get_managed_entry_for(viewer: Viewer, entry_id: int) -> TimetableEntry:
    """A weekly lesson the viewer may change or end; 404 for missing and forbidden alike."""
    return permissions.entries.get(
        viewer, entry_id, "manage", queryset=TimetableEntry.objects.select_related(*ENTRY_RELATED)
    )


def plan_week(school_class: SchoolClass, monday: datetime.date) -> list[Occurrence]:
    """The class's weekly plan in the week of ``monday``: each entry on each day of the
    week it is valid, without days off or changes (the editor shows the plan, not the
    calendar). One query."""
    sunday = monday + datetime.timedelta(days=6)
    entries = (
        TimetableEntry.objects.filter(school_class=school_class, valid_from__lte=sunday)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=monday))
        .select_related(*ENTRY_RELATED)
    )
    result = []
    for entry in entries:
        day = monday + datetime.timedelta(days=entry.weekday - 1)
        if entry.is_valid_on(day):
            result.append(
                Occurrence(
                    entry=entry, date=day, slot=entry.slot, teacher=entry.teacher, room=entry.room
                )
            )
    result.sort(key=lambda o: (o.date, o.slot.number, o.entry.group_id or 0, o.entry.pk))
    return result


def plan_grid(occurrences: list[Occurrence], monday: datetime.date, slots: list[LessonSlot]):
    """Every lesson number × the weekdays (Saturday and Sunday when used), each cell with
    its day and lessons, so the editor can offer to add a lesson in any of them."""
    grid = week_grid(occurrences, monday, slots)
    rows = [
        {
            "slot": row["slot"],
            "cells": [
                {"day": day, "weekday": day.isoweekday(), "occurrences": cell}
                for day, cell in zip(grid["days"], row["cells"], strict=True)
            ],
        }
        for row in grid["rows"]
    ]
    return {"days": grid["days"], "rows": rows}


@dataclass
class EditorOptions:
    """What the editor's forms offer: the school's lesson numbers, subjects, teachers and
    rooms, and the class's groups."""

    slots: list[LessonSlot]
    subjects: list[Subject]
    teachers: list
    rooms: list[Room]
    groups: list[ClassGroup]


TEACHING_ROLES = (
    SchoolRole.Role.TEACHER,
    SchoolRole.Role.PRINCIPAL,
    SchoolRole.Role.DEPUTY_PRINCIPAL,
)


def editor_options(viewer: Viewer, school_class: SchoolClass) -> EditorOptions:
    """Five queries, whatever the size of the school (the class is already checked)."""
    permissions.class_plans.require(viewer, "manage", school_class)
    school_id = school_class.school_id
    return EditorOptions(
        slots=slots_of(school_id),
        subjects=list(Subject.objects.filter(school_id=school_id).order_by("name")),
        teachers=list(
            User.objects.filter(
                school_id=school_id,
                is_active=True,
                school_roles__school_id=school_id,
                school_roles__role__in=TEACHING_ROLES,
            )
            .distinct()
            .order_by("last_name", "first_name", "pk")
        ),
        rooms=list(Room.objects.filter(school_id=school_id).order_by("name")),
        groups=list(ClassGroup.objects.filter(school_class=school_class).order_by("name")),
    )
