"""Keeping the risk warnings up to date costs the same whatever their number."""

import datetime
from decimal import Decimal

import pytest

from dziennik.attendance import alerts, services
from dziennik.attendance.models import AttendanceAlert, AttendanceMark
from testsupport.world import cold_queries

from .factories import add_students, build_register, save_lesson


def days_ago(reg, n):
    return reg.day - datetime.timedelta(days=n)


def test_risk_percentage_follows_new_lessons_in_the_same_row(world):
    reg = build_register(world)
    s = world.student
    save_lesson(world, reg, reg.math2, {s: "nb"}, day=days_ago(reg, 7))
    save_lesson(world, reg, reg.math3, {s: "u"}, day=days_ago(reg, 7))
    save_lesson(world, reg, reg.math2, {s: "nb"})
    save_lesson(world, reg, reg.math3, {})
    risk = AttendanceAlert.objects.get(kind="risk", is_active=True)
    assert risk.percent == Decimal("25.0")  # 1 of 4
    save_lesson(world, reg, reg.math2, {s: "nb"}, day=days_ago(reg, 14))
    again = AttendanceAlert.objects.get(kind="risk", is_active=True)
    assert (again.pk, again.percent) == (risk.pk, Decimal("20.0"))  # 1 of 5
    # present again at the lessons of a week ago: 3 of 5, no longer at risk
    save_lesson(world, reg, reg.math2, {}, day=days_ago(reg, 7))
    save_lesson(world, reg, reg.math3, {}, day=days_ago(reg, 7))
    assert not AttendanceAlert.objects.filter(kind="risk", is_active=True).exists()
    # and absent once more: the same warning comes back with the new figure
    save_lesson(world, reg, reg.math2, {s: "nb"}, day=days_ago(reg, 7))
    save_lesson(world, reg, reg.math3, {s: "nb"}, day=days_ago(reg, 7))
    back = AttendanceAlert.objects.get(kind="risk", is_active=True)
    assert (back.pk, back.percent) == (risk.pk, Decimal("20.0"))


@pytest.mark.parametrize("at_risk", [2, 8])
def test_updating_many_risk_warnings_costs_the_same(world, at_risk):
    reg = build_register(world)
    students = [world.student, world.classmate, *add_students(world, at_risk - 2)]
    everyone_absent = dict.fromkeys(students, "nb")
    for entry in (reg.math2, reg.math3):
        save_lesson(world, reg, entry, everyone_absent, day=days_ago(reg, 7))
        save_lesson(world, reg, entry, everyone_absent, day=days_ago(reg, 14))
    assert AttendanceAlert.objects.filter(kind="risk", percent=0, is_active=True).count() == (
        at_risk
    )
    lesson = save_lesson(world, reg, reg.math2, everyone_absent)
    # everyone present now (1 of 5): saved, the check not yet run
    everyone_present = {s.pk: reg.kinds["ob"].pk for s in students}
    services.lesson_save(actor=lesson.teacher, lesson=lesson, topic="Temat", marks=everyone_present)
    assert AttendanceMark.objects.filter(alerts_pending=True).count() == at_risk
    with cold_queries() as ctx:
        assert alerts.alerts_check_pending() == at_risk
    assert AttendanceAlert.objects.filter(kind="risk", percent=20, is_active=True).count() == (
        at_risk
    )
    assert len(ctx.captured_queries) == 12  # the same for 2 and 8 warnings
