"""Fault drill: the production stack (gunicorn with ``config.settings.production``, the
task worker, Redis, PostgreSQL) under a running client while the cache, the database
and the worker fail. Prints, per scenario, the requests served, the 5xx by status and
the recovery time. Not a test (the same scenarios are in the suite:
``grades/tests/test_faults_cache.py``, ``portal/tests/test_faults_stack.py``).

Everything runs on servers of its own, on free loopback ports: a throw-away PostgreSQL
cluster set up as docs/production.md says (an application role, the history of changes
given to its own role by ``audit_protect``) and a ``redis-server`` without persistence.
Never the machine's own services.

    .venv/bin/python bench/faults.py                 # about two minutes
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import secrets
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testsupport.faults import (
    AppServer,
    PostgresCluster,
    RedisServer,
    TaskWorker,
    django_code,
    manage,
    wait_for,
)

APP_ROLE = "dziennik_drill_app"
DATABASE = "dziennik_drill"
PARENT_PAGES = ["/", "/oceny/uczen/{child}/", "/frekwencja/uczen/{child}/", "/plan/uczen/{child}/"]


def production_env(cluster: PostgresCluster, redis: RedisServer) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=f"postgres://{APP_ROLE}@127.0.0.1:{cluster.port}/{DATABASE}",
        SECRET_KEY="drill-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EMAIL_URL="smtp://127.0.0.1:2525",
        SECURE_SSL_REDIRECT="False",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="False",
        CACHE_URL=redis.url,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def build(cluster: PostgresCluster, env: dict) -> None:
    started = time.monotonic()
    cluster.sql(f'CREATE ROLE "{APP_ROLE}" LOGIN')
    cluster.sql(f'CREATE DATABASE "{DATABASE}" OWNER "{APP_ROLE}"')
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "demo", "--students-per-class", "8", "--classes-per-level", "1")
    manage(env, "audit_protect", "--owner-url", cluster.url(DATABASE), "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    print(f"built the demo school on a throw-away cluster in {time.monotonic() - started:.1f} s")


class Load(threading.Thread):
    """One client: a parent reading its child's pages, a teacher saving a lesson."""

    def __init__(self, server: AppServer, child: int, lesson: int, *, saves: bool):
        super().__init__(daemon=True)
        self.parent = server.session()
        self.parent.cookies["django_language"] = "en"
        self.parent.login("rodzic")
        self.pages = [p.format(child=child) for p in PARENT_PAGES]
        self.saves = saves
        self.teacher = server.session()
        self.teacher.login("nauczyciel")
        self.lesson_path = f"/frekwencja/lekcje/{lesson}/"
        html = self.teacher.get(self.lesson_path).text
        self.token = self.teacher.csrf_token(html)
        self.students = sorted({int(s) for s in re.findall(r'name="mark-(\d+)"', html)})
        self.kinds = sorted({int(k) for k in re.findall(r'name="mark-\d+" value="(\d+)"', html)})
        self.log: list[tuple[float, str, int]] = []
        self.running = True

    def run(self) -> None:
        n = 0
        while self.running:
            n += 1
            try:
                self.log.append(
                    (time.monotonic(), "read", self.parent.get(self.pages[n % 4]).status)
                )
                if self.saves and n % 4 == 0:
                    fields = [("csrfmiddlewaretoken", self.token), ("topic", f"Temat {n}")]
                    fields += [(f"mark-{s}", str(self.kinds[n % 2])) for s in self.students]
                    status = self.teacher.post(self.lesson_path, fields).status
                    self.log.append((time.monotonic(), "save", status))
            except OSError:
                self.log.append((time.monotonic(), "read", 0))
                time.sleep(0.05)


def run_clients(server, child, lesson, count, fault, *, saves=True):
    clients = [Load(server, child, lesson, saves=saves) for _ in range(count)]
    for client in clients:
        client.start()
    marks = fault()
    for client in clients:
        client.running = False
    for client in clients:
        client.join(30)
    return sorted(entry for client in clients for entry in client.log), marks


def report(name: str, log, recovered_from: float | None) -> None:
    statuses = collections.Counter(status for _t, _w, status in log)
    errors = {s: n for s, n in sorted(statuses.items()) if s >= 500 or s == 0}
    served = sum(n for s, n in statuses.items() if 200 <= s < 400)
    line = f"{name:24s} requests {len(log):5d}  served {served:5d}  5xx {errors or 'none'}"
    failing = [t for t, _w, s in log if s >= 500 or s == 0]
    if failing:
        line += f"  failing for {max(failing) - min(failing):.1f} s"
    if recovered_from is not None:
        recovery = (max(failing) - recovered_from) if failing else 0.0
        line += f", last failure {max(recovery, 0.0):.2f} s after the server was back"
    print(line, flush=True)


def ready_cache(server: AppServer) -> str:
    """The cache's state as /readyz of one of the workers reports it."""
    answer = server.session().get("/readyz")
    return json.loads(answer.body).get("cache", "?")


def lookup(env: dict, code: str) -> str:
    return django_code(env, code)


def cache_drill(env, server, redis, child, lesson, clients: int) -> None:
    def kill_and_restart():
        time.sleep(2)
        redis.kill()
        time.sleep(4)
        redis.start()
        back = time.monotonic()
        wait_for(lambda: all(ready_cache(server) == "ok" for _ in range(6)), 30, "cache back")
        print(f"{'':24s} cache back in use {time.monotonic() - back:.1f} s after its restart")
        time.sleep(3)
        return back

    log, back = run_clients(server, child, lesson, clients, kill_and_restart)
    report("cache killed", log, back)

    # a grade changed while the cache did not answer (SIGSTOP keeps its data)
    parent = server.session()
    parent.login("rodzic")
    page = f"/oceny/uczen/{child}/"
    parent.get(page)
    parent.get(page)
    name = f"Kartkówka awaryjna {secrets.token_hex(3)}"
    redis.pause()
    try:
        time.sleep(0.2)
        for _ in range(3):
            parent.get("/")  # the workers notice the outage
        lookup(env, ADD_COLUMN.format(child=child, name=name))
    finally:
        redis.resume()
    time.sleep(3)
    stale = sum(name not in parent.get(page).text for _ in range(20))
    print(f"{'cache paused':24s} grade added during the outage; stale pages after: {stale}/20")


ADD_COLUMN = """
from dziennik.grades import services
from dziennik.grades.models import Assessment
from dziennik.schools.models import Student
child = Student.objects.get(pk={child})
a = Assessment.objects.filter(school_class__enrolments__student=child, group__isnull=True, teacher__isnull=False).order_by("-date").first()
column = services.assessment_create(actor=a.teacher, school_class=a.school_class, subject=a.subject, term=a.term, name="{name}", date=a.date, category=a.category)
services.grade_set(actor=a.teacher, assessment=column, student=child, raw="5")
"""  # noqa: E501

LESSON_CHECK = """
from dziennik.attendance.models import AttendanceMark, Lesson
lesson = Lesson.objects.get(pk={lesson})
kinds = set(AttendanceMark.objects.filter(lesson=lesson).values_list("kind_id", flat=True))
print(lesson.topic, sorted(kinds))
"""


def database_drill(env, server, cluster, child, lesson, clients: int) -> None:
    def restart():
        time.sleep(2)
        cluster.stop("fast")
        time.sleep(2)
        cluster.start()
        back = time.monotonic()
        time.sleep(5)
        return back

    log, back = run_clients(server, child, lesson, clients, restart)
    report("PostgreSQL restarted", log, back)
    topic, kinds = lookup(env, LESSON_CHECK.format(lesson=lesson)).split(" ", 2)[1:]
    print(f"{'':24s} lesson after the drill: topic {topic}, mark kinds {kinds} (one kind: whole)")


QUEUE_RECOMPUTE = """
from dziennik.grades.models import StudentAverage
from dziennik.grades.tasks import grades_recompute_school
from dziennik.schools.models import School
grades_recompute_school.enqueue(School.objects.get().pk)
"""
AVERAGES = """
from dziennik.grades.models import StudentAverage
print(StudentAverage.objects.count(), sum(StudentAverage.objects.values_list("average", flat=True)))
"""
TASK_STATE = """
from django_tasks_db.models import DBTaskResult
t = DBTaskResult.objects.filter(task_path__endswith="grades_recompute_school").latest("enqueued_at")
print(t.status, len(t.worker_ids))
"""


def worker_drill(env, cluster, worker_log: Path) -> None:
    before = lookup(env, AVERAGES)
    owner = cluster.url(DATABASE)
    with psycopg.connect(owner) as blocker:
        blocker.execute("LOCK TABLE grades_studentaverage IN SHARE MODE")
        lookup(env, QUEUE_RECOMPUTE)
        worker = TaskWorker(env, log=worker_log).start()
        wait_for(
            lambda: blocker.execute(
                "SELECT 1 FROM pg_locks WHERE NOT granted AND relation = "
                "'grades_studentaverage'::regclass"
            ).fetchone(),
            30,
            "the task at the lock",
        )
        worker.kill()
        killed = time.monotonic()
        blocker.rollback()
    state = lookup(env, TASK_STATE)
    worker = TaskWorker(env, log=worker_log).start()  # as systemd restarts it
    try:
        wait_for(lambda: lookup(env, TASK_STATE).startswith("SUCCESSFUL"), 60, "the rerun")
        done = time.monotonic()
    finally:
        worker.stop()
    after = lookup(env, AVERAGES)
    print(
        f"{'worker SIGKILL mid-task':24s} task after the kill: {state}; rerun done "
        f"{done - killed:.1f} s after the kill ({lookup(env, TASK_STATE)}); averages "
        f"{before} before, {after} after ({'same' if before == after else 'DIFFERENT'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    logs = Path(__file__).resolve().parent / "results"
    logs.mkdir(exist_ok=True)
    cluster = PostgresCluster().init()
    redis = RedisServer()
    server = None
    try:
        cluster.start()
        redis.start()
        env = production_env(cluster, redis)
        build(cluster, env)
        child = int(lookup(env, CHILD))
        lesson = int(lookup(env, LESSON))
        server = AppServer(env, workers=args.workers, threads=2, log=logs / "drill-gunicorn.log")
        server.start()
        worker = TaskWorker(env, log=logs / "drill-worker.log").start()
        print(f"gunicorn {args.workers} workers, {args.clients} clients (parent + teacher)\n")
        try:
            cache_drill(env, server, redis, child, lesson, args.clients)
            database_drill(env, server, cluster, child, lesson, args.clients)
        finally:
            worker.stop()
        worker_drill(env, cluster, logs / "drill-worker.log")
    finally:
        if server is not None:
            server.stop()
        redis.stop()
        cluster.destroy()


CHILD = """
from dziennik.schools.models import Student
print(Student.objects.filter(guardianships__guardian__user__username="rodzic").order_by("pk").values_list("pk", flat=True).first())
"""  # noqa: E501
LESSON = """
from dziennik.attendance.models import Lesson
print(Lesson.objects.filter(teacher__username="nauczyciel", group__isnull=True).order_by("-date", "pk").values_list("pk", flat=True).first())
"""  # noqa: E501

if __name__ == "__main__":
    main()
