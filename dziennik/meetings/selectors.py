"""Reads of parent–teacher meetings, through the viewer (``permissions``). Every list
is a fixed number of queries, however many sessions, slots and bookings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from dziennik.schools.models import (
    ClassGroup,
    Enrolment,
    Guardianship,
    SchoolClass,
    TeachingAssignment,
)
from dziennik.schools.viewer import ChildOption, Viewer, child_options

from . import permissions
from .models import Booking, ConsultationSession, ConsultationSlot

# The lists show this many upcoming items at most.
LIST_SIZE = 100


def _active_bookings():
    return Booking.objects.filter(cancelled_at__isnull=True)


def children_by_teacher(viewer: Viewer) -> dict[int, list[ChildOption]]:
    """For each teacher of the viewer's children, the children they teach now (whole
    class, group, or as class teacher): whom a parent may book them for. The same rule
    as ``permissions.teachers_of``; three queries, however many children."""
    children = {c.pk: c for c in child_options(viewer)}
    if not children:
        return {}
    class_of: dict[int, list[int]] = {}
    result: dict[int, set[int]] = {}
    for student_id, class_id, class_teacher_id in Enrolment.objects.filter(
        student_id__in=list(children), end_date__isnull=True
    ).values_list("student_id", "school_class_id", "school_class__class_teacher_id"):
        class_of.setdefault(class_id, []).append(student_id)
        if class_teacher_id is not None:
            result.setdefault(class_teacher_id, set()).add(student_id)
    members: dict[int, list[int]] = {}
    for group_id, student_id in ClassGroup.students.through.objects.filter(
        student_id__in=list(children)
    ).values_list("classgroup_id", "student_id"):
        members.setdefault(group_id, []).append(student_id)
    for teacher_id, class_id, group_id in TeachingAssignment.objects.filter(
        Q(school_class_id__in=list(class_of), group__isnull=True) | Q(group_id__in=list(members))
    ).values_list("teacher_id", "school_class_id", "group_id"):
        taught = class_of.get(class_id, []) if group_id is None else members.get(group_id, [])
        result.setdefault(teacher_id, set()).update(taught)
    return {
        teacher_id: [children[pk] for pk in sorted(ids, key=lambda pk: children[pk].first_name)]
        for teacher_id, ids in result.items()
    }


def teacher_sessions(viewer: Viewer):
    """The viewer's own consultation hours from today on, each with ``slot_count`` (not
    cancelled) and ``booked_count``. One query."""
    return list(
        permissions.sessions.queryset(viewer, "manage")
        .filter(date__gte=timezone.localdate())
        .annotate(
            slot_count=Count("slots", filter=Q(slots__cancelled_at__isnull=True), distinct=True),
            booked_count=Count(
                "bookings", filter=Q(bookings__cancelled_at__isnull=True), distinct=True
            ),
        )
        .order_by("date", "starts_at", "pk")[:LIST_SIZE]
    )


def bookable_sessions(viewer: Viewer):
    """Consultation hours from today on of the teachers of the viewer's children, each
    with ``free_count`` (times still to come that nobody has booked) and the teacher.
    One query."""
    free = (
        ConsultationSlot.objects.filter(
            session_id=OuterRef("pk"), cancelled_at__isnull=True, starts__gt=timezone.now()
        )
        .annotate(taken=Exists(_active_bookings().filter(slot_id=OuterRef("pk"))))
        .filter(taken=False)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        permissions.sessions.queryset(viewer, "book")
        .filter(date__gte=timezone.localdate())
        .select_related("teacher")
        .only(
            "pk",
            "date",
            "starts_at",
            "ends_at",
            "room",
            "note",
            "slot_minutes",
            "teacher_id",
            "teacher__first_name",
            "teacher__last_name",
        )
        .annotate(free_count=Subquery(free, output_field=IntegerField()))
        .order_by("date", "starts_at", "pk")[:LIST_SIZE]
    )


def family_bookings(viewer: Viewer):
    """The bookings of the viewer's children from today on: standing ones, and those the
    teacher cancelled (the family is told so). One query."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return list(
        permissions.bookings.queryset(viewer)
        .filter(student_id__in=list(viewer.child_ids), slot__starts__gte=start)
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_by_teacher=True))
        .select_related("slot", "session", "session__teacher", "student")
        .order_by("slot__starts", "pk")[:LIST_SIZE]
    )


def upcoming_class_meetings(viewer: Viewer):
    """The class meetings from today on the viewer may see (their children's classes,
    the classes they teach or called), with the class. One query."""
    return list(
        permissions.class_meetings.queryset(viewer)
        .filter(date__gte=timezone.localdate())
        .select_related("school_class", "teacher")
        .order_by("date", "starts_at", "pk")[:LIST_SIZE]
    )


def parents_of(*, student_ids=(), school_class_id: int | None = None) -> list[int]:
    """The accounts of the parents a meeting concerns: of the students ``student_ids``,
    or of the students of a class now. Only parents who see the child (full access, not
    restricted by an adult student, as ``Viewer.child_ids``); students take no part.
    One query."""
    students = (
        Enrolment.objects.filter(school_class_id=school_class_id, end_date__isnull=True).values(
            "student_id"
        )
        if school_class_id is not None
        else list(student_ids)
    )
    return sorted(
        set(
            Guardianship.objects.filter(
                student_id__in=students,
                access=Guardianship.Access.FULL,
                student__restricts_parent_view=False,
                guardian__user__isnull=False,
            ).values_list("guardian__user_id", flat=True)
        )
    )


def get_session_for(viewer: Viewer, session_id: int, action: str = "view"):
    return permissions.sessions.get(
        viewer, session_id, action, queryset=ConsultationSession.objects.select_related("teacher")
    )


def get_slot_for(viewer: Viewer, slot_id: int, action: str):
    return permissions.slots.get(
        viewer, slot_id, action, queryset=ConsultationSlot.objects.select_related("session")
    )


def get_booking_for(viewer: Viewer, booking_id: int, action: str = "view"):
    return permissions.bookings.get(
        viewer, booking_id, action, queryset=Booking.objects.select_related("slot")
    )


def get_class_meeting_for(viewer: Viewer, meeting_id: int, action: str = "view"):
    return permissions.class_meetings.get(viewer, meeting_id, action)


@dataclass
class SlotRow:
    slot: ConsultationSlot
    booking: Booking | None  # the standing booking (names only for the teacher)
    mine: bool  # booked by the viewer's family
    past: bool


def session_slots(viewer: Viewer, session: ConsultationSession) -> list[SlotRow]:
    """The slots of consultation hours the viewer may see, each with its standing
    booking. The teacher gets the parent's and the student's names; a parent learns only
    whether a time is free, or booked by their own family. One query."""
    manager = session.teacher_id == viewer.user_id
    bookings = _active_bookings().order_by()
    if manager:
        bookings = bookings.select_related("guardian", "student")
    else:
        bookings = bookings.only("pk", "slot_id", "student_id", "guardian_id", "cancelled_at")
    slots = ConsultationSlot.objects.filter(session_id=session.pk).prefetch_related(
        Prefetch("bookings", queryset=bookings, to_attr="standing")
    )
    now = timezone.now()
    rows = []
    for slot in slots.order_by("starts", "pk"):
        booking = slot.standing[0] if slot.standing else None
        mine = booking is not None and booking.student_id in viewer.child_ids
        rows.append(SlotRow(slot, booking, mine, slot.starts <= now))
    return rows


def classes_to_call(viewer: Viewer):
    """The classes the viewer leads: where they may call a class meeting."""
    return SchoolClass.objects.filter(
        school_id=viewer.school_id, pk__in=list(viewer.led_class_ids)
    ).order_by("level", "name")


def entries_between(viewer: Viewer, date_from: datetime.date, date_to: datetime.date):
    """What the viewer's calendar holds of meetings between two dates: their own
    consultation hours (a teacher), their children's standing bookings and class
    meetings (a parent), the class meetings they called. At most three queries."""
    sessions = []
    if viewer.is_teacher:
        sessions = list(
            permissions.sessions.queryset(viewer, "manage")
            .filter(date__range=(date_from, date_to))
            .annotate(booked_count=Count("bookings", filter=Q(bookings__cancelled_at__isnull=True)))
            .order_by("date", "starts_at")
        )
    bookings = []
    if viewer.child_ids:
        bookings = list(
            permissions.bookings.queryset(viewer)
            .filter(
                student_id__in=list(viewer.child_ids),
                cancelled_at__isnull=True,
                slot__starts__date__range=(date_from, date_to),
            )
            .select_related("slot", "session", "session__teacher", "student")
            .order_by("slot__starts")
        )
    meetings = []
    if viewer.child_ids or viewer.is_class_teacher:
        family = Q(pk__in=[])
        if viewer.child_ids:
            family = Q(
                school_class_id__in=Enrolment.objects.filter(
                    student_id__in=list(viewer.child_ids), end_date__isnull=True
                ).values("school_class_id")
            )
        meetings = list(
            permissions.class_meetings.queryset(viewer)
            .filter(family | Q(teacher_id=viewer.user_id))
            .filter(date__range=(date_from, date_to), cancelled_at__isnull=True)
            .select_related("school_class")
            .order_by("date", "starts_at")
        )
    return sessions, bookings, meetings
