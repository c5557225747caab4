"""Demo parent–teacher meetings: consultation hours of a few teachers in the coming
days – the class teacher and the maths teacher of the fixed parent's (``rodzic``) child
among them – with about half of the times booked by parents of the teachers' students,
one by the fixed parent; and a class meeting of the child's class. The fixed class
teacher (``wychowawca``) holds consultation hours too. So the parent's and
the teachers' home pages show an upcoming meeting at once. Written in bulk, no history
(demo data is the system's)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from dziennik.schools.models import Enrolment, Guardianship

from .models import Booking, ClassMeeting, ConsultationSession, ConsultationSlot

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

# How many teachers hold consultation hours besides the fixed child's class teacher.
OTHER_TEACHERS = 4
SLOT = datetime.timedelta(minutes=15)


def _weekdays_ahead(today: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], today
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def _parents_by_class(ctx: DemoContext) -> dict[int, list[tuple[int, int]]]:
    """class id → (guardian id, student id) of the parents with an account and full
    access to a child of the class."""
    class_of = dict(
        Enrolment.objects.filter(school_class__in=ctx.classes, end_date__isnull=True).values_list(
            "student_id", "school_class_id"
        )
    )
    result: dict[int, list[tuple[int, int]]] = {}
    for guardian_id, student_id in Guardianship.objects.filter(
        student_id__in=list(class_of),
        access=Guardianship.Access.FULL,
        guardian__user__isnull=False,
        student__restricts_parent_view=False,
    ).values_list("guardian_id", "student_id"):
        result.setdefault(class_of[student_id], []).append((guardian_id, student_id))
    return result


def _fixed_family(ctx: DemoContext) -> tuple[int, int, int] | None:
    """The fixed parent's guardian id, child id and the child's class id."""
    parent = ctx.fixed_users.get("rodzic")
    if parent is None:
        return None
    link = (
        Guardianship.objects.filter(guardian__user=parent, access=Guardianship.Access.FULL)
        .values_list("guardian_id", "student_id")
        .first()
    )
    if link is None:
        return None
    class_id = (
        Enrolment.objects.filter(student_id=link[1], end_date__isnull=True)
        .values_list("school_class_id", flat=True)
        .first()
    )
    return (*link, class_id) if class_id else None


def populate(ctx: DemoContext) -> None:
    """Long because it lays out one small scene: sessions, their times, bookings and one
    class meeting, each depending on the ones before."""
    ctx.progress("meetings: consultation hours and a class meeting")
    days = _weekdays_ahead(ctx.today, 8)
    fixed = _fixed_family(ctx)
    classes = {c.pk: c for c in ctx.classes}
    taught: dict[int, set[int]] = {}  # teacher id → class ids
    for a in ctx.assignments:
        taught.setdefault(a.teacher_id, set()).add(a.school_class_id)
    for c in ctx.classes:
        if c.class_teacher_id:
            taught.setdefault(c.class_teacher_id, set()).add(c.pk)
    chosen: list[int] = []
    fixed_teacher = ctx.fixed_users.get("wychowawca")
    if fixed_teacher is not None:
        chosen.append(fixed_teacher.pk)
    if fixed is not None:
        own_teachers = [classes[fixed[2]].class_teacher_id]
        own_teachers += sorted(t for t, ids in taught.items() if fixed[2] in ids)
        chosen += [t for t in dict.fromkeys(own_teachers) if t not in chosen][:3]
    others = [t for t in sorted(taught) if t not in chosen]
    chosen += ctx.rng.sample(others, min(OTHER_TEACHERS, len(others)))
    sessions = []
    for index, teacher_id in enumerate(chosen):
        day = days[(2 + index) % len(days)]
        sessions.append(
            ConsultationSession(
                school=ctx.school,
                teacher_id=teacher_id,
                date=day,
                starts_at=datetime.time(16, 0),
                ends_at=datetime.time(17, 30),
                slot_minutes=15,
                room=str(ctx.rng.randint(1, 30)),
                note="Proszę o punktualność; w razie potrzeby dłuższej rozmowy umówimy "
                "osobny termin."
                if index == 0
                else "",
            )
        )
    ConsultationSession.objects.bulk_create(sessions)
    slots = []
    for session in sessions:
        start = timezone.make_aware(datetime.datetime.combine(session.date, session.starts_at))
        for n in range(6):
            slots.append(
                ConsultationSlot(
                    session=session, starts=start + n * SLOT, ends=start + (n + 1) * SLOT
                )
            )
    ConsultationSlot.objects.bulk_create(slots)
    parents = _parents_by_class(ctx)
    bookings = []
    fixed_booked = False
    for session in sessions:
        own = [s for s in slots if s.session_id == session.pk]
        families = [f for class_id in taught[session.teacher_id] for f in parents.get(class_id, [])]
        if fixed is not None:
            families = [f for f in families if f[0] != fixed[0]]
        if fixed is not None and not fixed_booked and fixed[2] in taught[session.teacher_id]:
            fixed_booked = True
            bookings.append(_booking(ctx, session, own.pop(1), fixed[0], fixed[1]))
        seen: set[int] = set()
        for slot in own:
            if not families or ctx.rng.random() < 0.5:
                continue
            guardian_id, student_id = ctx.rng.choice(families)
            if guardian_id in seen:
                continue
            seen.add(guardian_id)
            bookings.append(_booking(ctx, session, slot, guardian_id, student_id))
    Booking.objects.bulk_create(bookings)
    if fixed is not None:
        ClassMeeting.objects.create(
            school=ctx.school,
            school_class_id=fixed[2],
            teacher_id=classes[fixed[2]].class_teacher_id,
            date=days[4],
            starts_at=datetime.time(17, 0),
            ends_at=datetime.time(18, 0),
            room=str(ctx.rng.randint(1, 30)),
            topic="Wyniki klasyfikacji śródrocznej, wycieczka klasowa, sprawy bieżące.",
        )


def _booking(ctx, session, slot, guardian_id: int, student_id: int) -> Booking:
    return Booking(
        school=ctx.school,
        slot=slot,
        session=session,
        guardian_id=guardian_id,
        student_id=student_id,
    )


def reset(school_ids: list[int]) -> None:
    """Remove the demo schools' meetings (before their teachers' accounts)."""
    ClassMeeting.objects.filter(school_id__in=school_ids).delete()
    ConsultationSession.objects.filter(school_id__in=school_ids).delete()
