"""The database and the worker fail under the production server (gunicorn) and the task
worker, each on a throw-away PostgreSQL cluster of this module (``testsupport.faults``),
never the machine's own: a PostgreSQL restart gives only 503s, recovers by itself and
leaves no half-written lesson save; a worker killed with SIGKILL mid-task runs the task
again, and its effect happens exactly once, for every task of the register."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import threading
import time

import psycopg
import pytest
from django.apps import apps
from django.tasks import Task

from testsupport.faults import AppServer, PostgresCluster, TaskWorker, app_env, build_demo, wait_for
from testsupport.faults import django_code as run_code

pytestmark = [pytest.mark.faults]

TEMPLATE = "dziennik_fault_template"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A throw-away cluster with a migrated demo school as a template database."""
    cluster = PostgresCluster().init()
    cluster.start()
    try:
        cluster.sql(f'CREATE DATABASE "{TEMPLATE}"')
        build_demo(app_env(cluster.url(TEMPLATE)))
        # The demo's own queued work (its attendance alerts' delivery, queued or held by
        # the hour it is built) is not a test's: each test's queue starts empty.
        cluster.sql("DELETE FROM django_tasks_database_dbtaskresult", database=TEMPLATE)
        yield cluster
    finally:
        cluster.destroy()


_databases = iter(range(1, 1000))


@pytest.fixture
def database(cluster) -> str:
    """A fresh copy of the demo school; its URL."""
    name = f"dziennik_fault_{next(_databases)}"
    cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    return cluster.url(name)


def _json(env, code: str):
    return json.loads(run_code(env, code + "\nimport json as _j; print(_j.dumps(result))"))


# --- PostgreSQL restarted under a running client -----------------------------------------

LESSON = """
from dziennik.attendance.models import Lesson
lesson = Lesson.objects.filter(teacher__username='nauczyciel', group__isnull=True).order_by('-date', 'pk').first()
result = lesson.pk
"""  # noqa: E501

LESSON_STATE = """
from dziennik.attendance.models import AttendanceMark, Lesson
from dziennik.core.models import AuditEntry
lesson = Lesson.objects.get(pk={pk})
topics = [c["topic"][1] for c in AuditEntry.objects.filter(object_id=str(lesson.pk), changes__has_key="topic").values_list("changes", flat=True)]
result = {{"topic": lesson.topic, "marks": sorted(AttendanceMark.objects.filter(lesson=lesson).values_list("student_id", "kind_id")), "topics": topics}}
"""  # noqa: E501


class Client(threading.Thread):
    """A parent reading and a teacher saving one lesson, in turns, until stopped."""

    def __init__(self, server: AppServer, lesson_id: int):
        super().__init__(daemon=True)
        self.parent = server.session()
        self.parent.login("rodzic")
        self.teacher = server.session()
        self.teacher.login("nauczyciel")
        self.path = f"/frekwencja/lekcje/{lesson_id}/"
        html = self.teacher.get(self.path).text
        self.token = self.teacher.csrf_token(html)
        self.students = sorted({int(s) for s in re.findall(r'name="mark-(\d+)"', html)})
        self.kinds = sorted({int(k) for k in re.findall(r'name="mark-\d+" value="(\d+)"', html)})
        self.log: list[tuple[float, str, int, str]] = []  # (time, what, status, outcome)
        self.running = True

    def save(self, n: int):
        kind = self.kinds[n % 2]
        fields = [("csrfmiddlewaretoken", self.token), ("topic", f"Temat {n}")]
        fields += [(f"mark-{s}", str(kind)) for s in self.students]
        return self.teacher.post(self.path, fields)

    def run(self) -> None:
        n = 0
        while self.running:
            n += 1
            for what, call in (("read", lambda: self.parent.get("/")), (f"save {n}", None)):
                try:
                    response = call() if call else self.save(n)
                except OSError as error:
                    self.log.append((time.monotonic(), what, 0, type(error).__name__))
                    continue
                found = re.search(r'data-outcome="([\w-]+)"', response.text)
                self.log.append(
                    (time.monotonic(), what, response.status, found.group(1) if found else "")
                )
            time.sleep(0.02)


def test_postgresql_restarted_under_a_running_client(cluster, database, tmp_path):
    env = app_env(database)
    lesson_id = _json(env, LESSON)
    server = AppServer(env, workers=2, log=tmp_path / "gunicorn.log").start()
    try:
        client = Client(server, lesson_id)
        client.start()
        time.sleep(1.5)
        stopped = time.monotonic()
        cluster.stop("fast")
        time.sleep(2)
        cluster.start()
        started = time.monotonic()
        time.sleep(5)
        client.running = False
        client.join(30)
    finally:
        server.stop()

    statuses = [status for _t, _what, status, _o in client.log]
    assert 500 not in statuses and 0 not in statuses, (tmp_path / "gunicorn.log").read_text()
    assert set(statuses) <= {200, 302, 503}
    unavailable = [t for t, _what, status, _o in client.log if status == 503]
    assert unavailable, "the restart was not noticed"
    assert all(stopped <= t for t in unavailable)
    recovered = max(unavailable)
    assert recovered - started < 3  # full recovery within a few seconds of the restart
    after = [status for t, _w, status, _o in client.log if t > recovered]
    assert len(after) > 10 and set(after) <= {200, 302}

    state = _json(env, LESSON_STATE.format(pk=lesson_id))
    saved = {int(t.split()[1]) for t in state["topics"] if t.startswith("Temat ")}
    for _t, what, status, outcome in client.log:
        if what.startswith("save"):
            n = int(what.split()[1])
            if status == 302 or outcome == "saved":
                assert n in saved, what
            if outcome == "not-saved":
                assert n not in saved, what
    # all or nothing: the marks are those of the save whose topic the lesson has
    last = int(state["topic"].split()[1])
    kind = client.kinds[last % 2]
    assert {k for _s, k in state["marks"]} == {kind}
    assert len(state["marks"]) == len(client.students)


# --- a worker killed with SIGKILL mid-task ---------------------------------------------

# Each case: what makes the task do work (undoing what it would rebuild), the task to
# queue, the table whose lock stops it between its first writes and its commit, and what
# its effect is (compared before and after: rebuilt exactly once).
ALERTS = (
    "SELECT student_id, kind, key, percent::text FROM attendance_attendancealert "
    "WHERE is_active ORDER BY 1, 2, 3"
)
AVERAGES = (
    "SELECT student_id, subject_id, term_id, average::text FROM grades_studentaverage "
    "ORDER BY 1, 2, 3"
)
LUCKY = (
    "SELECT school_id, date::text, round, count(*) FROM lucky_luckynumber "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2"
)
USERS = "SELECT count(*), count(*) FILTER (WHERE must_change_password) FROM accounts_user"
DELIVERIES = (
    "SELECT channel, status, attempts, count(*) FROM notifications_delivery "
    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)
# Twenty people of the demo school with an address are sent a message notification; the
# commit queues the delivery (e-mail to the console in these settings). The same key
# again stores nothing, so the work done again changes nothing.
NOTIFY = """
from django.db import transaction
from dziennik.accounts.models import User
from dziennik.notifications import events, services
users = list(User.objects.filter(school__isnull=False).order_by("pk")[:20])
for user in users:
    User.objects.filter(pk=user.pk).update(email=f"osoba{user.pk}@example.pl")
with transaction.atomic():
    services.notify(event=events.MESSAGE, school_id=users[0].school_id, recipient_ids=[u.pk for u in users], key="fault:1", params={"sender": "Sekretariat"})
"""  # noqa: E501
MESSAGE_DELIVERIES = (
    "SELECT message_id, recipient_id, folder, read_at IS NULL FROM messaging_delivery ORDER BY 1, 2"
)
# The evening reminders of a day with a demo test: the notifications of that day again.
REMINDERS = (
    "SELECT event, recipient_id, key FROM notifications_notification "
    "WHERE event IN ('test_tomorrow', 'homework_tomorrow', 'timetable_tomorrow') ORDER BY 1, 2, 3"
)
PLAN_REMINDERS = (
    "SELECT event, recipient_id, key FROM notifications_notification "
    "WHERE event = 'plan_expires' ORDER BY 1, 2, 3"
)
PLAN_EXPIRY = """
import datetime
from dziennik.notifications.models import Notification
from dziennik.plans.models import Access
from dziennik.plans.tasks import plans_expiry_remind
access = Access.objects.filter(plan__isnull=False).order_by("pk").first()
Notification.objects.filter(event="plan_expires").delete()
day = access.ends - datetime.timedelta(days=7)
plans_expiry_remind.enqueue(day.isoformat())
result = day.isoformat()
"""
ACCESSES = "SELECT id, closed_on FROM plans_access ORDER BY 1"
# The demo's paid accesses, as if their end had not been applied: the day after the first
# one ends, the task applies it (SMS off where nothing else grants it) and marks it.
ACCESS_CLOSE = """
import datetime
from dziennik.plans.models import Access
from dziennik.plans.tasks import plans_accesses_close
Access.objects.update(closed_on=None)
access = Access.objects.filter(plan__isnull=False).order_by("ends", "pk").first()
day = access.ends + datetime.timedelta(days=1)
plans_accesses_close.enqueue(day.isoformat())
result = day.isoformat()
"""
# The year close of the demo school: the principal closes it over its missing entries
# (the certificate made once, where the worker's settings point); the task writes, signs
# and verifies the archive. Prepared again, the earlier close is undone first.
ARCHIVE = """
from pathlib import Path
from django.conf import settings
from django.db import transaction
from dziennik.accounts.models import User
from dziennik.archive import services, signing
from dziennik.archive.models import YearArchive
from dziennik.schools.models import SchoolYear
key = Path(settings.ARCHIVE_P12)
key.parent.mkdir(parents=True, exist_ok=True)
if not key.exists():
    key.write_bytes(signing.make_test_certificate(common_name="Szkoła", password=""))
YearArchive.objects.all().delete()
SchoolYear.objects.update(closed_at=None, closed_by=None, correction_by=None)
with transaction.atomic():
    archive = services.year_close_start(actor=User.objects.get(username="dyrektor"), school_year=SchoolYear.objects.get(), override_reason="Próba")
result = 1
"""  # noqa: E501
ARCHIVES = "SELECT status, verified, size > 0 FROM archive_yeararchive ORDER BY 1"
# An announcement of the demo school whose first day is today: its readers are told once.
ANNOUNCED = (
    "SELECT recipient_id, key FROM notifications_notification WHERE event = 'announcement' "
    "ORDER BY 1, 2"
)
SHOWN_TODAY = """
from django.utils import timezone
from dziennik.notices.models import Announcement
from dziennik.notices.tasks import notices_shown_today
from dziennik.notifications.models import Notification
today = timezone.localdate()
Notification.objects.filter(event="announcement").delete()
Announcement.objects.update(notified_at=timezone.now())
Announcement.objects.filter(pk=Announcement.objects.filter(withdrawn_at__isnull=True, shown_until__gte=today).order_by("pk").values("pk")[:1]).update(notified_at=None, shown_from=today)
notices_shown_today.enqueue()
result = 1
"""  # noqa: E501
# The whole school's XML export, queued as the principal's button does; prepared again,
# the earlier exports are removed first.
EXPORT = """
from dziennik.accounts.models import User
from dziennik.records import jobs
from dziennik.records.models import RegisterExport
from dziennik.schools.models import SchoolYear
RegisterExport.objects.all().delete()
export, started = jobs.export_school_start(actor=User.objects.get(username="dyrektor"), year=SchoolYear.objects.get())
result = export.pk
"""  # noqa: E501
EXPORTS = "SELECT status, size > 0, via FROM records_registerexport ORDER BY 1"
# A class teacher's printout of their class's pages, queued as the button does; prepared
# again, the earlier printouts are removed first.
PRINT = """
from dziennik.printing import jobs
from dziennik.printing.models import PrintJob
from dziennik.schools.models import SchoolClass
PrintJob.objects.all().delete()
school_class = SchoolClass.objects.filter(class_teacher__isnull=False).order_by("level", "name").first()
job, started = jobs.job_start(actor=school_class.class_teacher, kind="class_teacher", school_year=school_class.school_year, school_class=school_class)
result = job.pk
"""  # noqa: E501
PRINTS = "SELECT kind, status, parts_done = parts_total, size > 0 FROM printing_printjob ORDER BY 1"
# Two printouts of the principal, one past its time: the sweep deletes that one's file.
PRINT_PURGE = """
from datetime import timedelta
from django.core.files.base import ContentFile
from django.utils import timezone
from dziennik.accounts.models import User
from dziennik.printing.models import PrintJob
from dziennik.printing.tasks import print_jobs_purge
from dziennik.schools.models import SchoolYear
PrintJob.objects.all().delete()
year = SchoolYear.objects.get()
for days in (1, 10):
    job = PrintJob(school_id=year.school_id, school_year=year, kind="school", requested_by=User.objects.get(username="dyrektor"), status="ready", size=2, finished_at=timezone.now() - timedelta(days=days))
    job.file.save("printout.zip", ContentFile(b"PK"), save=True)
print_jobs_purge.enqueue()
result = 1
"""  # noqa: E501
PURGED = "SELECT status, file = '' FROM printing_printjob ORDER BY 1, 2"
# A parent's copy of their child's data as PDF, queued as the button does.
DATA_EXPORT = """
from dziennik.accounts.models import User
from dziennik.privacy import export_jobs
from dziennik.privacy.models import DataExport
from dziennik.schools.models import Student
DataExport.objects.all().delete()
parent = User.objects.get(username="rodzic")
student = Student.objects.filter(guardianships__guardian__user=parent).order_by("pk").first()
row = export_jobs.export_pdf_start(actor=parent, user=None, student=student, language="pl")
result = row.pk
"""
DATA_EXPORTS = "SELECT format, status, content IS NOT NULL FROM privacy_dataexport ORDER BY 1, 2"
TASKS = {
    "archive_build": (ARCHIVE, "archive_yeararchive", ARCHIVES),
    "print_job_run": (PRINT, "printing_printjob", PRINTS),
    "print_jobs_purge": (PRINT_PURGE, "printing_printjob", PURGED),
    "data_export_build": (DATA_EXPORT, "privacy_dataexport", DATA_EXPORTS),
    "notices_shown_today": (SHOWN_TODAY, "notices_announcement", ANNOUNCED),
    "register_export_write": (EXPORT, "records_registerexport", EXPORTS),
    "planner_tomorrow": (
        """
from dziennik.notifications.models import Notification
from dziennik.planner.models import Event
from dziennik.planner.tasks import planner_tomorrow
day = Event.objects.filter(kind="test").order_by("date").values_list("date", flat=True).first()
Notification.objects.filter(event__in=["test_tomorrow", "homework_tomorrow", "timetable_tomorrow"]).delete()
planner_tomorrow.enqueue(day.isoformat())
result = day.isoformat()
""",  # noqa: E501
        "notifications_notification",
        REMINDERS,
    ),
    "plans_expiry_remind": (PLAN_EXPIRY, "notifications_notification", PLAN_REMINDERS),
    "plans_accesses_close": (ACCESS_CLOSE, "plans_access", ACCESSES),
    "notifications_deliver": (
        NOTIFY + "result = 1\n",
        "notifications_delivery",
        DELIVERIES,
    ),
    "notifications_sweep": (
        # the queueing after the commit was lost (a web process died): the sweep finds it
        NOTIFY
        + """
from django_tasks_db.models import DBTaskResult
from dziennik.notifications.tasks import notifications_sweep
DBTaskResult.objects.filter(task_path__endswith="notifications_deliver").delete()
notifications_sweep.enqueue()
result = 1
""",
        "notifications_delivery",
        DELIVERIES,
    ),
    "letters_prepare": (
        # A new job of a class whose students have no accounts yet: the first run
        # creates them; the same job queued again (a new one) finds them all there.
        """
from dziennik.accounts.models import LetterJob
from dziennik.accounts.tasks import letters_prepare
from dziennik.schools.models import SchoolClass
school_class = SchoolClass.objects.filter(class_teacher__isnull=False, name="4a").first()
job = LetterJob.objects.create(school_class=school_class, requested_by=school_class.class_teacher, login_url="https://dziennik.example.pl/")
letters_prepare.enqueue(job.pk)
result = job.pk
""",
        "accounts_user",
        USERS,
    ),
    "lucky_numbers_draw": (
        """
from dziennik.lucky.models import LuckyNumber
from dziennik.lucky.tasks import lucky_numbers_draw
day = LuckyNumber.objects.order_by("-date").values_list("date", flat=True)[2]
LuckyNumber.objects.filter(date=day).delete()
lucky_numbers_draw.enqueue(day.isoformat())
result = day.isoformat()
""",
        "lucky_luckynumber",
        LUCKY,
    ),
    "attendance_alerts_check": (
        """
from dziennik.attendance.models import AttendanceAlert, AttendanceMark
from dziennik.attendance.tasks import attendance_alerts_check
day = AttendanceAlert.objects.filter(kind="unexcused").order_by("-date").values_list("date", flat=True).first()
AttendanceAlert.objects.filter(date=day).delete()
AttendanceMark.objects.filter(date=day).update(alerts_pending=True)
attendance_alerts_check.enqueue()
result = 1
""",  # noqa: E501
        "attendance_attendancemark",
        ALERTS,
    ),
    "attendance_alerts_sweep": (
        """
from dziennik.attendance.models import AttendanceAlert, AttendanceMark
from dziennik.attendance.tasks import attendance_alerts_sweep
day = AttendanceAlert.objects.filter(kind="unexcused").order_by("-date").values_list("date", "school_id").first()
AttendanceAlert.objects.filter(date=day[0]).delete()
attendance_alerts_sweep.enqueue(day[1], day[0].isoformat())
result = day[0].isoformat()
""",  # noqa: E501
        "attendance_attendancealert",
        ALERTS,
    ),
    "message_fan_out": (
        # The principal's letter to all staff, as if it had not gone out yet.
        """
from dziennik.messaging.models import Delivery, Message
from dziennik.messaging.tasks import message_fan_out
message = Message.objects.filter(groups=["staff"]).order_by("pk").first()
Delivery.objects.filter(message=message).delete()
Message.objects.filter(pk=message.pk).update(fanned_out_at=None)
message_fan_out.enqueue(message.pk)
result = message.pk
""",
        "messaging_delivery",
        MESSAGE_DELIVERIES,
    ),
    "grades_recompute_school": (
        """
from dziennik.grades.models import StudentAverage
from dziennik.grades.tasks import grades_recompute_school
from dziennik.schools.models import School
StudentAverage.objects.filter(pk__in=list(StudentAverage.objects.values_list("pk", flat=True)[::2])).delete()
StudentAverage.objects.update(average=1)
grades_recompute_school.enqueue(School.objects.get().pk)
result = 1
""",  # noqa: E501
        "grades_studentaverage",
        AVERAGES,
    ),
}

TASK_ROWS = (
    "SELECT reverse(split_part(reverse(task_path), '.', 1)), status, "
    "jsonb_array_length(worker_ids::jsonb) FROM django_tasks_database_dbtaskresult "
    "ORDER BY enqueued_at"
)


def _rows(database: str, query: str) -> list[tuple]:
    with psycopg.connect(database, autocommit=True) as conn:
        return conn.execute(query).fetchall()


def _waiting_on(conn, table: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table]
        ).fetchone()
    )


# Seconds a task may take; the year's archive lays out and signs every class's register.
TASK_TIMEOUT = {"archive_build": 600, "data_export_build": 300}


def _run_worker_until_done(env, log, task_name: str) -> None:
    worker = TaskWorker(env, log=log).start()
    try:
        wait_for(
            lambda: all(
                row[1] in ("SUCCESSFUL", "FAILED") for row in _rows(env["DATABASE_URL"], TASK_ROWS)
            ),
            TASK_TIMEOUT.get(task_name, 60),
            f"{task_name} done",
        )
    finally:
        worker.stop()


@pytest.mark.parametrize("task_name", sorted(TASKS))
def test_a_worker_killed_mid_task_runs_it_again_once(task_name, database, tmp_path):
    """Killed between its first writes and its commit, the task is put back in the queue
    by the next worker and runs again; the result equals one clean run's."""
    prepare, table, effect = TASKS[task_name]
    env = app_env(database)
    _json(env, prepare)
    prepared = _rows(database, effect)
    log = tmp_path / "worker.log"
    with psycopg.connect(database) as blocker:
        # writes to the table wait; reads (and FOR UPDATE) go on
        blocker.execute(f"LOCK TABLE {table} IN SHARE MODE")
        worker = TaskWorker(env, log=log).start()
        try:
            wait_for(lambda: _waiting_on(blocker, table), 30, "the task at the lock", pause=0.1)
        finally:
            worker.kill()
        blocker.rollback()
    assert _rows(database, TASK_ROWS) == [(task_name, "RUNNING", 1)]
    assert _rows(database, effect) == prepared  # the killed run left nothing

    _run_worker_until_done(env, log, task_name)
    # the delivery runs its notifications queued after its commit come after it
    ran = [row for row in _rows(database, TASK_ROWS) if row[0] != "notifications_deliver"]
    if task_name == "notifications_deliver":
        ran = _rows(database, TASK_ROWS)
    assert ran == [(task_name, "SUCCESSFUL", 2)], log.read_text()
    assert "put back in the queue" in log.read_text()
    after_kill = _rows(database, effect)
    assert after_kill != prepared

    _json(env, prepare)  # the same work again, run by a worker nobody kills
    _run_worker_until_done(env, log, task_name)
    assert _rows(database, effect) == after_kill


def test_every_task_is_proved():
    """A new task (in any app's ``tasks.py``) needs its case above."""
    found = set()
    for app in apps.get_app_configs():
        if app.name.startswith("dziennik.") and importlib.util.find_spec(f"{app.name}.tasks"):
            module = importlib.import_module(f"{app.name}.tasks")
            found |= {name for name, value in vars(module).items() if isinstance(value, Task)}
    assert found == set(TASKS)
