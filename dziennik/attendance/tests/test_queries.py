"""Query counts of the register's pages do not grow with the data."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dziennik.attendance import alerts, services
from dziennik.attendance.models import AttendanceAlert, AttendanceMark
from dziennik.schools.tests import factories as sf
from testsupport.world import cold_queries

from .factories import add_students, build_register, committed, open_lesson, save_lesson

# Pinned counts (the same for small and large classes / histories).
# POST: topic + every student's mark and the history. Cold: 5 to know the viewer, 2 for
# the roster, 1 for the kinds, 1 for the lesson's name in the history, 2 content types.
# Warm (one mark changed, same topic): session, user, lesson, the marks, their update,
# the history, and the savepoint pair.
# The warnings are re-checked afterwards, in the background (ALERTS_CHECK).
# The closed-year guard (schools.services.ensure_year_open, L-12) adds one to both.
SAVE_LESSON = 22  # 20 before the lesson's lock (concurrent saves), 25 with the warnings
# checked in the request, 29 before that
SAVE_LESSON_WARM = 10  # 8 before the lesson's lock
# The background check of the changed students' warnings (settings cached): 9, and, as
# today's warning is new, the family to tell (the lesson, the student, their guardians;
# this student has no account, so no notification is stored).
ALERTS_CHECK = 12
LESSON_SCREEN = 15  # + the parents' announcements of absence covering the lesson
# cold: the period's marks (the rows, the day × lesson grid and the statistics, read
# once: ``selectors.student_page``), year with terms in one query each; 2 to find the
# page's cache versions (the student's class)
PARENT_PAGE = 18  # + deadline (settings, cold), announced absences,
# the school's plan rules (the plans' gate, cold)
PARENT_PAGE_WARM = 2
# Built afresh after a teacher's save (the school's configuration still cached): session,
# user, the period's marks (rows, grid and statistics in one), the justifications, the
# announced absences and the warnings. The student, the year with its terms and the
# deadline are configuration, kept with it and read with the viewer
# (``selectors.page_setup``): 7 when the student was read on every page built.
PARENT_PAGE_AFTER_A_CHANGE = 6
TODAY = 11
CLASS_SUMMARY = 14  # the school year and its terms in one query; the risk threshold (cold)


def count(client, method, url, data=None) -> int:
    with cold_queries() as ctx:
        response = getattr(client, method)(url, data=data)
    assert response.status_code in (200, 302), response.status_code
    import os

    if os.environ.get("SHOW_QUERIES"):
        for q in ctx.captured_queries:
            print(q["sql"][:150])
    return len(ctx.captured_queries)


@pytest.mark.parametrize("class_size", [5, 30])
def test_saving_a_lesson_costs_the_same_for_5_and_30_students(
    world, class_size, assert_warm_queries
):
    reg = build_register(world)
    students = [world.student, world.classmate, *add_students(world, class_size - 2)]
    lesson = open_lesson(world, reg.math2, reg.day)
    marks = {s.pk: reg.kinds["ob"].pk for s in students}
    for s in students[:3]:
        marks[s.pk] = reg.kinds["nb"].pk
    marks[students[3].pk] = reg.kinds["sp"].pk
    data = {"topic": "Równania", **{f"mark-{k}": v for k, v in marks.items()}}
    client = world.client("teacher_in")
    client.get("/")
    ContentType.objects.clear_cache()  # count the history's content-type lookup too
    url = f"/frekwencja/lekcje/{lesson.pk}/"
    with committed() as callbacks:
        assert count(client, "post", url, data) == SAVE_LESSON
    assert AttendanceMark.objects.filter(lesson=lesson).count() == class_size
    assert AttendanceMark.objects.filter(lesson=lesson, kind__code="nb").count() == 3
    # the check of the warnings was queued after the commit (and ran: in-process backend)
    assert len(callbacks) >= 1
    assert not AttendanceMark.objects.filter(lesson=lesson, alerts_pending=True).exists()
    assert AttendanceAlert.objects.filter(kind="unexcused", is_active=True).count() == 3
    # warm: a teacher saving again (one change, as in the benchmark) with what the cache holds
    data[f"mark-{students[4].pk}"] = reg.kinds["nb"].pk
    with assert_warm_queries(SAVE_LESSON_WARM):
        assert client.post(url, data).status_code == 302
    # the background check of that change, as the worker runs it
    with assert_warm_queries(ALERTS_CHECK):
        assert alerts.alerts_check_pending() == 1
    assert AttendanceAlert.objects.filter(kind="unexcused", is_active=True).count() == 4


@pytest.mark.parametrize("class_size", [5, 30])
def test_lesson_screen(world, class_size):
    reg = build_register(world)
    add_students(world, class_size - 2)
    save_lesson(world, reg, reg.math2, {world.student: "nb"})  # the previous lesson
    lesson = open_lesson(world, reg.math3, reg.day)
    client = world.client("teacher_in")
    client.get("/")
    assert count(client, "get", f"/frekwencja/lekcje/{lesson.pk}/") == LESSON_SCREEN


@pytest.mark.parametrize("schools", [0, 3], ids=["one-school", "four-schools"])
@pytest.mark.parametrize("weeks", [1, 8])
def test_parents_attendance_page(world, weeks, schools):
    for n in range(schools):  # more schools on the installation, each with its students
        school = sf.SchoolFactory(name=f"Szkoła nr {100 + n}")
        school_class = sf.SchoolClassFactory(school=school, level=4)
        for _ in range(5):
            sf.EnrolmentFactory(school_class=school_class, student__school=school)
    reg = build_register(world)
    for week in range(weeks):
        day = reg.day - datetime.timedelta(days=7 * week)
        for entry in (reg.history1, reg.math2, reg.math3, reg.history4):
            save_lesson(world, reg, entry, {world.student: "nb" if week % 2 else "ob"}, day=day)
    services.justification_submit(
        actor=world.user("own_parent"),
        student=world.student,
        reason="x",
        date_from=reg.day - datetime.timedelta(days=7),
        date_to=reg.day - datetime.timedelta(days=7),
    ) if weeks > 1 else None
    assert AttendanceMark.objects.filter(student=world.student).count() == 4 * weeks
    client = world.client("own_parent")
    client.get("/")
    url = f"/frekwencja/uczen/{world.student.pk}/"
    assert count(client, "get", url) == PARENT_PAGE
    with CaptureQueriesContext(connection) as warm:
        cached = client.get(url)
    assert len(warm.captured_queries) == PARENT_PAGE_WARM
    # and a change shows at once: the next lesson's absence, and the cached page moves on
    save_lesson(world, reg, reg.math2, {world.student: "nb"}, day=reg.day)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).content != cached.content
    assert len(after.captured_queries) == PARENT_PAGE_AFTER_A_CHANGE


@pytest.mark.parametrize("class_size", [5, 30])
def test_today_and_class_summary(world, class_size):
    reg = build_register(world)
    add_students(world, class_size - 2)
    save_lesson(world, reg, reg.history1, {world.student: "nb"})
    client = world.client("class_teacher")
    client.get("/")
    assert count(client, "get", "/frekwencja/dzis/") == TODAY
    assert count(client, "get", f"/frekwencja/klasa/{world.school_class.pk}/") == CLASS_SUMMARY
