import datetime
import random

from django.db.models import Count
from django.utils import timezone

from dziennik.attendance import demo as attendance_demo
from dziennik.attendance.models import AttendanceAlert, AttendanceMark, Justification, Lesson
from dziennik.core.models import AuditEntry
from dziennik.demo.context import DemoContext
from dziennik.schools import models as sm
from dziennik.timetable import demo as timetable_demo
from dziennik.timetable.models import TimetableEntry

from .factories import add_students, make_slots


def lesson_days(n: int) -> list[datetime.date]:
    days, day = [], timezone.localdate() - datetime.timedelta(days=1)
    while len(days) < n:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return sorted(days)


def test_demo_builds_a_timetable_and_a_living_register(world):
    from dziennik.accounts.tests.factories import UserFactory
    from dziennik.schools.tests import factories as sf

    for student in add_students(world, 23) + add_students(world, 25, world.other_class):
        guardian = sf.GuardianFactory(school=world.school, user=UserFactory(school=world.school))
        sf.GuardianshipFactory(guardian=guardian, student=student)
    slots = make_slots(world.school)
    classes = [world.school_class, world.other_class]
    students = {
        c.pk: [
            e.student
            for e in sm.Enrolment.objects.filter(school_class=c)
            .select_related("student")
            .order_by("journal_number")
        ]
        for c in classes
    }
    ctx = DemoContext(
        school=world.school,
        year=world.year,
        terms=[world.term1, world.term2],
        classes=classes,
        students_by_class=students,
        subjects=list(sm.Subject.objects.filter(school=world.school)),
        teachers=[world.user(r) for r in ("teacher_in", "teacher_out", "class_teacher")],
        assignments=list(sm.TeachingAssignment.objects.filter(school=world.school)),
        lesson_slots=list(slots.values()),
        school_days=lesson_days(30),
        today=timezone.localdate(),
        rng=random.Random(7),
    )
    timetable_demo.populate(ctx)
    attendance_demo.populate(ctx)

    # Matematyka 4 h and Historia 2 h a week in 4a; Historia 2 h in 4b
    hours = {
        (c, s): n
        for c, s, n in TimetableEntry.objects.values_list("school_class__name", "subject__name")
        .annotate(n=Count("id"))
        .order_by()
    }
    assert hours == {("4a", "Matematyka"): 4, ("4a", "Historia"): 2, ("4b", "Historia"): 2}
    # no teacher is booked twice at the same time
    assert not (
        TimetableEntry.objects.values("teacher_id", "weekday", "slot_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not (
        TimetableEntry.objects.exclude(room=None)
        .values("room_id", "weekday", "slot_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # every planned lesson of the past days is in the register, with every student
    lessons = Lesson.objects.count()
    assert lessons >= 30 * 8 / 5 * 0.8
    assert AttendanceMark.objects.count() == sum(
        len(students[lesson.school_class_id]) for lesson in Lesson.objects.all()
    )
    kinds = set(AttendanceMark.objects.values_list("kind__code", flat=True))
    assert {"ob", "nb", "u"} <= kinds
    statuses = set(Justification.objects.values_list("status", flat=True))
    assert "accepted" in statuses
    accepted = Justification.objects.filter(status="accepted").first()
    assert set(accepted.marks.values_list("kind__code", flat=True)) == {"u"}
    assert AttendanceAlert.objects.exists()
    assert not AuditEntry.objects.exists()  # generated data stays removable
