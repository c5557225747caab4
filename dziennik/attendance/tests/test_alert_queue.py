"""Warnings are re-checked in the background after a save, with the database task queue
and its real worker (``db_worker``); one queued check serves every save until it runs."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from dziennik.attendance import alerts, services
from dziennik.attendance.models import AttendanceAlert, AttendanceMark

from .factories import build_register, committed, open_lesson

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Real commits: the worker reads only what a save has committed, and closes its
# database connection when it is done, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reg(world):
    return build_register(world)


def save(world, lesson, marks, reg, topic="Temat"):
    with committed():
        services.lesson_save(
            actor=lesson.teacher,
            lesson=lesson,
            topic=topic,
            marks={s.pk: reg.kinds[code].pk for s, code in marks.items()},
        )


def active_alerts():
    return set(
        AttendanceAlert.objects.filter(is_active=True).values_list("kind", "student_id", "date")
    )


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@override_settings(TASKS=DATABASE_QUEUE)
def test_saves_queue_one_check_that_the_worker_runs(world, reg):
    s, mate = world.student, world.classmate
    first = open_lesson(world, reg.math2, reg.day)
    second = open_lesson(world, reg.math3, reg.day)
    save(world, first, {s: "nb"}, reg)
    # the save is done, the warning not yet: one check waits in the queue
    assert DBTaskResult.objects.count() == 1
    assert AttendanceMark.objects.filter(alerts_pending=True).count() == 2  # the class of 2
    assert active_alerts() == set()
    # a second save while the check waits queues nothing more
    save(world, second, {mate: "nb"}, reg)
    assert DBTaskResult.objects.count() == 1

    run_worker()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert active_alerts() == {("unexcused", s.pk, reg.day), ("unexcused", mate.pk, reg.day)}
    assert not AttendanceMark.objects.filter(alerts_pending=True).exists()
    # the next change queues the next check (a mark left out would stay as it is)
    save(world, first, {s: "ob"}, reg)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    assert active_alerts() == {("unexcused", mate.pk, reg.day)}


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_new_topic_alone_queues_no_check(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    save(world, lesson, {}, reg)
    run_worker()
    save(world, lesson, {}, reg, topic="Inny temat")
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert not AttendanceMark.objects.filter(alerts_pending=True).exists()


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_lost_queue_key_costs_only_an_extra_check(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    save(world, lesson, {world.student: "nb"}, reg)
    cache.clear()  # e.g. the cache server restarted while the check waited
    save(world, lesson, {world.student: "u"}, reg)
    assert DBTaskResult.objects.count() == 2
    run_worker()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # the absence was excused before the check ran: no warning at all
    assert active_alerts() == set()
    assert not AttendanceMark.objects.filter(alerts_pending=True).exists()


def test_marks_left_flagged_are_checked_in_batches(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    other = open_lesson(world, reg.math3, reg.day)
    with transaction.atomic():  # not committed yet: no check queued, the marks flagged
        services.lesson_save(
            actor=lesson.teacher,
            lesson=lesson,
            topic="Temat",
            marks={world.student.pk: reg.kinds["nb"].pk},
        )
        services.lesson_save(actor=other.teacher, lesson=other, topic="Temat", marks={})
        assert AttendanceMark.objects.filter(alerts_pending=True).count() == 4
        assert alerts.alerts_check_pending(batch=3) == 4  # two batches
        assert not AttendanceMark.objects.filter(alerts_pending=True).exists()
        assert active_alerts() == {("unexcused", world.student.pk, reg.day)}


def test_the_nightly_command_queues_a_sweep_per_school(world, reg):
    from django.core.management import CommandError

    lesson = open_lesson(world, reg.math2, reg.day)
    save(world, lesson, {world.student: "nb"}, reg)
    AttendanceAlert.objects.all().delete()  # e.g. lost: the sweep brings them back
    with override_settings(TASKS=DATABASE_QUEUE):
        call_command("attendance_sweep", "--date", reg.day.isoformat(), verbosity=0)
        schools = {world.school.pk, world.other_school.pk}
        queued = DBTaskResult.objects.filter(status="READY")
        assert queued.count() == 1 + len(schools)  # the pending check and a sweep each
        run_worker()
    assert active_alerts() == {("unexcused", world.student.pk, reg.day)}
    with pytest.raises(CommandError):
        call_command("attendance_sweep", "--date", "31.12.2026")
