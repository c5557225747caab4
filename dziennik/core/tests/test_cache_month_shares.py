"""One month's share of a dated app's data (``core.cache.month_scopes``) and the rows of
a model kept apart (``core.cache.rows_scopes``): a recorded change moves the months its
dates fall in, before and after the change, and its model's share; a change whose months
are not known moves every month's; any other bump of the student moves them all."""

import datetime

import pytest

from dziennik.attendance.models import AttendanceMark, Justification, Lesson
from dziennik.core import audit, cache
from dziennik.grades.models import Grade

from .cache_shares import BASE, CLASS, STUDENT, moved

pytestmark = pytest.mark.django_db  # a bump moves the versions again at the commit


NOVEMBER = cache.month_scopes("attendance", BASE, "2026-11")
DECEMBER = cache.month_scopes("attendance", BASE, "2026-12")
APART = cache.rows_scopes(["attendance.justification"], BASE)


def test_month_scopes_narrow_only_the_students_and_classes_data():
    assert (
        cache.config_scope(1),
        ("student-in", 7, "attendance", "2026-11"),
        ("student-in-months", 7, "attendance"),
        ("student-any", 7),
        ("data-in", 3, "attendance", "2026-11"),
        ("data-in-months", 3, "attendance"),
        ("data-any", 3),
    ) == NOVEMBER


def test_a_recorded_change_moves_its_months_only():
    recorded = [("attendance", STUDENT, ("2026-12",)), ("attendance", CLASS, ("2026-12",))]
    assert moved(DECEMBER, lambda: cache.bump_recorded(recorded))
    assert not moved(NOVEMBER, lambda: cache.bump_recorded(recorded))
    assert not moved(APART, lambda: cache.bump_recorded(recorded))
    # the app's share and the whole scopes move as before
    share = cache.app_scopes("attendance", BASE)
    assert moved(share, lambda: cache.bump_recorded(recorded))
    assert moved([STUDENT], lambda: cache.bump_recorded(recorded))


def test_a_change_without_months_moves_every_month():
    assert moved(NOVEMBER, lambda: cache.bump_recorded([("attendance", STUDENT, None)]))
    assert moved(NOVEMBER, lambda: cache.bump_in("attendance", STUDENT))
    assert moved(APART, lambda: cache.bump_in("attendance", STUDENT))
    # derived data that names its months (none) and models moves only those
    alerts = {"months": (), "models": ("attendance.justification",)}
    assert not moved(NOVEMBER, lambda: cache.bump_in("attendance", STUDENT, **alerts))
    assert moved(APART, lambda: cache.bump_in("attendance", STUDENT, **alerts))


@pytest.mark.parametrize("scope", [STUDENT, CLASS])
def test_a_bump_that_names_no_app_moves_every_month(scope):
    assert moved(NOVEMBER, lambda: cache.bump(scope))
    assert moved(APART, lambda: cache.bump(scope))


def test_another_apps_change_moves_no_month():
    grades = [("grades", STUDENT), ("grades", CLASS)]
    assert not moved(NOVEMBER, lambda: cache.bump_recorded(grades))
    assert not moved(APART, lambda: cache.bump_recorded(grades))


def test_the_months_of_a_row():
    day = datetime.date(2026, 11, 30)
    mark = AttendanceMark(date=day)
    assert cache.months_of(mark) == {"2026-11"}
    # moved: before and after, whichever the instance holds yet
    assert cache.months_of(mark, {"date": ["2026-11-30", "2027-01-04"]}) == {"2026-11", "2027-01"}
    mark.date = datetime.date(2027, 1, 4)
    assert cache.months_of(mark, {"date": ["2026-11-30", "2027-01-04"]}) == {"2026-11", "2027-01"}
    # a range: every month it covers
    excuse = Justification(date_from=datetime.date(2026, 11, 28), date_to=datetime.date(2027, 2, 1))
    assert cache.months_of(excuse) == {"2026-11", "2026-12", "2027-01", "2027-02"}
    # a row without dates
    assert cache.months_of(Grade()) is None


def test_the_history_moves_the_months_of_the_recorded_rows(world):
    lesson_scopes = [cache.data_scope(world.school_class.pk)]
    november = cache.month_scopes("attendance", lesson_scopes, "2026-11")
    december = cache.month_scopes("attendance", lesson_scopes, "2026-12")
    january = cache.month_scopes("attendance", lesson_scopes, "2027-01")
    lesson = Lesson(pk=10**6, date=datetime.date(2026, 12, 1), school_class=world.school_class)
    actor = world.user("class_teacher")

    def moved_to_january():
        before = audit.snapshot(lesson, fields=["date"])
        lesson.date = datetime.date(2027, 1, 5)
        audit.record_update(
            actor=actor,
            instance=lesson,
            before=before,
            school_class_id=world.school_class.pk,
            object_repr="lesson",
        )

    before = [cache.versions(*scopes) for scopes in (november, december, january)]
    moved_to_january()
    after = [cache.versions(*scopes) for scopes in (november, december, january)]
    assert after[0] == before[0]  # not November's
    assert after[1] != before[1] and after[2] != before[2]  # both months it is in

    def a_mark_of_the_student():
        mark = AttendanceMark(pk=10**6, date=datetime.date(2026, 11, 3))
        audit.record_create(
            actor=actor,
            instance=mark,
            student_id=world.student.pk,
            school_class_id=world.school_class.pk,
            object_repr="mark",
        )

    student = [cache.student_scope(world.student.pk)]
    assert moved(cache.month_scopes("attendance", student, "2026-11"), a_mark_of_the_student)
    assert not moved(cache.month_scopes("attendance", student, "2026-12"), a_mark_of_the_student)
    apart = cache.rows_scopes(["attendance.justification"], student)
    assert not moved(apart, a_mark_of_the_student)
