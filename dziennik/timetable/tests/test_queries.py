"""Query counts of the timetable pages do not grow with the size of the plan."""

import pytest

from dziennik.attendance.tests.factories import build_register
from dziennik.timetable.models import TimetableChange, TimetableEntry
from testsupport.world import cold_queries

STUDENT_WEEK = 13  # parent: session, viewer, layout, student, plan (entries, changes, days off)
TEACHER_WEEK = 12


def fill_week(world, reg, extra_days: int):
    """Copy the day's plan to ``extra_days`` other weekdays, with a substitution each."""
    for weekday in [d for d in range(1, 6) if d != reg.day.isoweekday()][:extra_days]:
        for entry in (reg.history1, reg.math2, reg.math3, reg.history4):
            TimetableEntry.objects.create(
                school=world.school,
                school_class=entry.school_class,
                weekday=weekday,
                slot=entry.slot,
                subject=entry.subject,
                teacher=entry.teacher,
                room=entry.room,
                valid_from=entry.valid_from,
            )
    TimetableChange.objects.create(
        school=world.school,
        entry=reg.history1,
        date=reg.day,
        kind="substitution",
        substitute_teacher=world.user("teacher_in"),
    )


def count(client, url) -> int:
    with cold_queries() as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("extra_days", [0, 4])
def test_week_pages(world, extra_days):
    reg = build_register(world)
    fill_week(world, reg, extra_days)
    parent = world.client("own_parent")
    parent.get("/")
    html = parent.get(f"/plan/uczen/{world.student.pk}/").content.decode()
    assert html.count('class="lesson-cell') == 4 * (1 + extra_days)
    assert count(parent, f"/plan/uczen/{world.student.pk}/") == STUDENT_WEEK
    teacher = world.client("teacher_in")
    teacher.get("/")
    assert count(teacher, "/plan/nauczyciel/") == TEACHER_WEEK
