"""Test data for the register: a bell schedule, a timetable for the world's classes,
attendance kinds, and helpers to open and save lessons."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.test import TestCase
from django.utils import timezone

from dziennik.attendance import selectors, services
from dziennik.attendance.models import AttendanceKind, Lesson
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from dziennik.timetable.models import Room, TimetableEntry
from testsupport.world import World

BELLS = [
    (1, "08:00", "08:45"),
    (2, "08:55", "09:40"),
    (3, "09:50", "10:35"),
    (4, "10:45", "11:30"),
    (5, "11:50", "12:35"),
    (6, "12:50", "13:35"),
    (7, "13:45", "14:30"),
    (8, "14:40", "15:25"),
]


def make_slots(school: sm.School) -> dict[int, sm.LessonSlot]:
    return {
        n: sm.LessonSlot.objects.create(
            school=school,
            number=n,
            starts_at=datetime.time.fromisoformat(a),
            ends_at=datetime.time.fromisoformat(b),
        )
        for n, a, b in BELLS
    }


@dataclass
class Register:
    day: datetime.date
    slots: dict[int, sm.LessonSlot]
    kinds: dict[str, AttendanceKind]
    room: Room
    history1: TimetableEntry  # 4a, lesson 1, Historia, class_teacher
    math2: TimetableEntry  # 4a, lesson 2, Matematyka, teacher_in
    math3: TimetableEntry  # 4a, lesson 3, Matematyka again (twice a day), teacher_in
    history4: TimetableEntry  # 4a, lesson 4, Historia, class_teacher
    other: TimetableEntry  # 4b, lesson 2, Historia, teacher_out


def build_register(world: World, day: datetime.date | None = None) -> Register:
    """On ``day``'s weekday 4a has: 1 Historia, 2 Matematyka, 3 Matematyka, 4 Historia."""
    day = day or timezone.localdate()
    slots = make_slots(world.school)
    kinds = services.attendance_kinds_ensure_defaults(school=world.school)
    room = Room.objects.create(school=world.school, name="12")

    def entry(school_class, n, subject, role):
        return TimetableEntry.objects.create(
            school=world.school,
            school_class=school_class,
            weekday=day.isoweekday(),
            slot=slots[n],
            subject=subject,
            teacher=world.user(role),
            room=room if school_class == world.school_class else None,
            valid_from=day - datetime.timedelta(days=120),
        )

    return Register(
        day=day,
        slots=slots,
        kinds=kinds,
        room=room,
        history1=entry(world.school_class, 1, world.other_subject, "class_teacher"),
        math2=entry(world.school_class, 2, world.subject, "teacher_in"),
        math3=entry(world.school_class, 3, world.subject, "teacher_in"),
        history4=entry(world.school_class, 4, world.other_subject, "class_teacher"),
        other=entry(world.other_class, 2, world.other_subject, "teacher_out"),
    )


def add_students(world: World, n: int, school_class=None) -> list[sm.Student]:
    school_class = school_class or world.school_class
    start = 100 + sm.Enrolment.objects.filter(school_class=school_class).count()
    students = []
    for i in range(n):
        student = sf.StudentFactory(school=world.school)
        sf.EnrolmentFactory(student=student, school_class=school_class, journal_number=start + i)
        students.append(student)
    return students


def open_lesson(world: World, entry: TimetableEntry, day: datetime.date, role: str = "") -> Lesson:
    role = (
        role
        or {
            world.user("teacher_in").pk: "teacher_in",
            world.user("class_teacher").pk: "class_teacher",
            world.user("teacher_out").pk: "teacher_out",
        }[entry.teacher_id]
    )
    return services.lesson_open(actor=world.user(role), entry_id=entry.pk, date=day)


def save_lesson(
    world: World,
    reg: Register,
    entry: TimetableEntry,
    marks: dict,
    *,
    day: datetime.date | None = None,
    topic: str = "Temat",
) -> Lesson:
    """Open and save a lesson; ``marks`` maps student → kind code (others present:
    every student's mark is sent, as the lesson form does).

    The save "commits" as a request's would: what it leaves for after the commit (the
    check of the warnings, run at once by the tests' in-process task backend) runs too.
    """
    day = day or reg.day
    lesson = open_lesson(world, entry, day)
    sent = dict.fromkeys(selectors.lesson_attendee_ids(lesson), reg.kinds["ob"].pk)
    sent.update({s.pk: reg.kinds[code].pk for s, code in marks.items()})
    with committed():
        services.lesson_save(actor=lesson.teacher, lesson=lesson, topic=topic, marks=sent)
    return lesson


def committed():
    """Run the on-commit callbacks of what happens inside, as if it had committed (the
    test's own transaction never does)."""
    return TestCase.captureOnCommitCallbacks(execute=True)
