"""Profile one page built afresh (a cache miss) in-process, on the bench's database.

    .venv/bin/python bench/profile_page.py --path /oceny/uczen/123/ --username rodzic_x \
        --student 123 [--database-url ...] [--cache-url redis://127.0.0.1:18866/0] [-n 50]

Without ``--student`` and ``--username``: the bench's heaviest child and a guardian of
theirs (``heaviest``); ``{student}`` in a path stands for the child's id, e.g.
``--path /oceny/uczen/{student}/``.

The same settings as the bench's server (``config.settings.production``, the bench's
application role); before every request the versions a new grade of the student moves
are moved (``bench/scenarios.py``): the student's, their class's and the student's in
the subject they have most grades in. Prints the mean wall time per request and the
cProfile table (cumulative). Not a test. ``--fully-cold``: every subject's version of the
student moved too; ``--warm``: nothing moved.

``--figures``: instead of the profile, the CPU per request (this process's Python plus
its PostgreSQL backend's, read from ``/proc``) of every ``--path`` (repeat the option;
``/healthz`` is the trivial page), cold, fully cold and warm, measured in interleaved
rounds (``--rounds`` of ``-n`` requests per path and state); prints the median round of
each. What moving the versions before a request costs this process is not counted: it is
the bench's work (a teacher's save), not the page's. "Cold" here is what the bench's
cold means: the versions a new grade of the child moves (``core.cache.student_scope``,
the class's ``data_scope`` and the child's ``subject_scope`` of one subject: the one
with most of the child's grades) are moved before every request, so the page, and every
part of it kept per those versions (the class comparison's averages, the overview's row
of that subject), is built afresh, while what the school's configuration versions keep
(the layout's top bar, the report's setup, the viewer) and the overview's rows of the
other subjects stay cached, as they do after a teacher's save. "Fully cold" moves every
subject's version of the child as well: every row of the overview is built afresh, so no
part kept per subject hides the full cost.

``--cold-app attendance``: cold moves what recording a new attendance mark of the child
today moves instead (``core.audit`` → ``core.cache.bump_recorded`` with the attendance's
share: the child's and the class's versions, the attendance's share of them and of this
month, ``core.cache.month_part_scope``), so the attendance page's parts kept per month
of the other months stay, as after a teacher's save of today's lesson (a new grade
would leave them all: it moves the grades' share only). "Fully cold" moves every app's
share and every month's too (a plain ``core.cache.bump``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def backend_cpu_seconds(pid: int) -> float:
    """CPU time used so far by the PostgreSQL backend ``pid`` (it runs on this machine)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", required=True, action="append")
    parser.add_argument("--username", help="default: a guardian of the heaviest child")
    parser.add_argument("--student", type=int, help="default: the heaviest child")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dziennik_bench"
        ),
    )
    parser.add_argument("--cache-url", default="")
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--warm", action="store_true", help="do not move the version")
    parser.add_argument("--fully-cold", action="store_true", help="move every subject's")
    parser.add_argument("--figures", action="store_true", help="CPU figures, no profile")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--split",
        action="store_true",
        help="with --figures: where the Python CPU goes (templates, SQL, cache, the rest)",
    )
    parser.add_argument(
        "--cold-app",
        choices=("grades", "attendance"),
        default="grades",
        help="cold: what a new grade moves (default) or what a new attendance mark today moves",
    )
    args = parser.parse_args()

    from run import app_url, bench_env

    env = bench_env(app_url(args.database_url))
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from dziennik.accounts.models import User
    from dziennik.core import cache

    if args.student is None or args.username is None:
        heaviest(args)
    args.path = [path.replace("{student}", str(args.student)) for path in args.path]
    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    client.force_login(User.objects.get(username=args.username))
    # the page cache keeps pages only for a browser that has a CSRF cookie, as browsers do
    client.get("/konto/logowanie/")
    # the home page shows the active child: this one (as the bench chooses it)
    client.post("/konto/dziecko/", {"student": args.student, "next": "/"})

    from django.db.models import Count

    from dziennik.grades.models import Grade
    from dziennik.schools.models import Enrolment, TeachingAssignment

    # what recording a new grade of the student moves (``core.audit``): the subject is
    # the one the child has most grades in
    school_class = Enrolment.objects.get(student_id=args.student, end_date__isnull=True)
    graded = list(
        Grade.objects.filter(student_id=args.student)
        .values_list("assessment__subject_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "assessment__subject_id")
    )
    subjects = {sid for sid, _n in graded} | set(
        TeachingAssignment.objects.filter(school_class_id=school_class.school_class_id)
        .values_list("subject_id", flat=True)
        .distinct()
    )
    # (the code before the scopes per subject had none: moving one changes nothing there)
    subject_scope = getattr(cache, "subject_scope", lambda *ids: ("subject", *ids))
    cold_scopes = (
        cache.student_scope(args.student),
        cache.data_scope(school_class.school_class_id),
        subject_scope(args.student, graded[0][0]),
    )
    fully_cold_scopes = cold_scopes + tuple(subject_scope(args.student, s) for s in subjects)
    state = "warm" if args.warm else "fully cold" if args.fully_cold else "cold"
    print(
        f"cold: subject {graded[0][0]} ({graded[0][1]} grades); fully cold: "
        f"{len(subjects)} subjects; profiled: {state}"
    )

    # moved as ``core.audit`` moves them when it records a grade: with the grades' share
    # of the student's and the class's data only (``core.cache.bump_recorded``); fully
    # cold moves every app's share too (``core.cache.bump``)
    recorded = getattr(cache, "bump_recorded", None)

    if args.cold_app == "attendance":
        # what recording a new attendance mark of the child today moves (``core.audit``,
        # the mark's row: the child's and the class's scopes, the attendance's share of
        # them and of today's month; no subject scope, a mark has none)
        from django.utils import timezone

        month = cache.month_of(timezone.localdate())
        cold_scopes = cold_scopes[:2]
        print(f"cold: a new attendance mark of {month} (--cold-app attendance)")

    moving = [0.0]  # the CPU spent moving versions (the bench's, not the page's)

    def one(path: str, state: str) -> None:
        started = time.process_time()
        PAUSED.append(state)  # the split's timers do not count the bench's own work
        move(state)
        PAUSED.pop()
        moving[0] += time.process_time() - started
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    def move(state: str) -> None:
        if state == "cold" and args.cold_app == "attendance":
            recorded(("attendance", scope, (month,)) for scope in cold_scopes)
        elif state == "cold" and recorded is not None:
            recorded(("grades", scope) for scope in cold_scopes)
        elif state == "cold":
            cache.bump(*cold_scopes)
        elif state == "fully cold":
            cache.bump(*fully_cold_scopes)

    for path in args.path:
        for _ in range(5):
            one(path, state)
    if args.figures:
        figures(args, one, connection, moving, split_timers() if args.split else None)
        return
    path = args.path[0]
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        one(path, state)
    wall = (time.perf_counter() - started) * 1000 / args.n
    cpu = (time.process_time() - cpu) * 1000 / args.n
    print(f"{path}: {wall:.2f} ms wall, {cpu:.2f} ms CPU (this process) per request")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        one(path, state)
    print(f"{len(queries.captured_queries)} queries:")
    for query in queries.captured_queries:
        print(f"  {query['time']}s {query['sql'][:300]}")
    # CPU time, not wall time: the server's cost, not its waits (the database's CPU is
    # the database's own, measured by the bench)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(args.n):
        one(path, state)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort).print_stats(args.limit)


def heaviest(args) -> None:
    """The bench's heaviest child (``scenarios.heaviest_child``: school 1's student with
    the most grades, which moves with the day the school is built up to) and the first of
    their guardians, where ``--student`` or ``--username`` is not given."""
    from django.db.models import Count

    from dziennik.schools.models import Guardianship, School, Student

    if args.student is None:
        school = School.objects.order_by("pk").first()
        child = (
            Student.objects.filter(school=school)
            .annotate(n=Count("grades"))
            .order_by("-n", "pk")
            .first()
        )
        args.student = child.pk
    if args.username is None:
        args.username = (
            Guardianship.objects.filter(student_id=args.student)
            .order_by("pk")
            .values_list("guardian__user__username", flat=True)
            .first()
        )
    print(f"the heaviest child: student {args.student}, guardian {args.username}")


PAUSED: list[str] = []  # non-empty while the bench moves versions before a request


def split_timers() -> dict[str, float]:
    """This thread's CPU spent in the template engine (a page's outermost render: its
    includes and inclusion tags inside it), in running SQL (the client's side: the
    driver, Django's cursor wrappers; not the ORM's building of the query) and in the
    cache's round trips (``core.redis_cache``: pickling, the socket), summed in seconds
    under those names. What the three leave is the middleware, the session and user
    reads' ORM, the selectors and the views."""
    from django.db import connection
    from django.template.backends.django import Template

    from dziennik.core.redis_cache import RedisCache

    spent = {"template": 0.0, "sql": 0.0, "cache": 0.0}
    inside: list[str] = []

    def timed(name: str, call, *args):
        if inside or PAUSED:  # counted once, by what it is inside of
            return call(*args)
        inside.append(name)
        started = time.thread_time()
        try:
            return call(*args)
        finally:
            spent[name] += time.thread_time() - started
            inside.pop()

    render, guarded = Template.render, RedisCache._guarded
    Template.render = lambda self, *a, **kw: timed("template", lambda: render(self, *a, **kw))
    RedisCache._guarded = lambda self, op, fallback: timed("cache", guarded, self, op, fallback)
    connection.execute_wrappers.append(
        lambda execute, *query: timed("sql", execute, *query)  # sql, params, many, context
    )
    return spent


def figures(args, one, connection, moving: list[float], split: dict | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    states = ("cold", "fully cold", "warm")
    rounds: dict[tuple[str, str], list[tuple[float, float]]] = {}
    parts: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(args.rounds):
        for path in args.path:
            for warm in states:
                one(path, warm)  # a warm page is cached by the request before
                python, database = time.process_time(), backend_cpu_seconds(backend)
                moved = moving[0]
                before = dict(split or {})
                for _ in range(args.n):
                    one(path, warm)
                # the request's CPU: without what moving the versions before it cost
                python = (time.process_time() - python - (moving[0] - moved)) * 1000 / args.n
                database = (backend_cpu_seconds(backend) - database) * 1000 / args.n
                rounds.setdefault((path, warm), []).append((python + database, python))
                if split is not None:
                    parts.setdefault((path, warm), []).append(
                        {k: (split[k] - before[k]) * 1000 / args.n for k in split}
                    )
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "?"
    print(f"CPU per request, median of {args.rounds} rounds of {args.n} (load average {load}):")
    print(
        f"{'page':30s} {'cold: all (Python)':>22s} {'fully cold: all (Python)':>26s}"
        f" {'warm: all (Python)':>22s}"
    )
    for pick, name in ((statistics.median_low, "median"), (min, "fastest")):
        if name == "fastest":  # what noise from elsewhere on the machine adds least to
            print(f"the fastest of the {args.rounds} rounds:")
        for path in args.path:
            cells = []
            for warm in states:
                total, python = pick(rounds[path, warm])
                cells.append(f"{total:8.2f} ({python:6.2f}) ms")
            print(f"{path:30s} {cells[0]:>22s} {cells[1]:>26s} {cells[2]:>22s}")
    if split is not None:
        print_split(args, rounds, parts, states)


def print_split(args, rounds, parts, states) -> None:
    """Of the median round's Python CPU, what the templates, SQL and the cache took (the
    timers run in every round, so the split's own cost is in every figure above)."""
    print("Python CPU per request, median round, split: template / SQL / cache / the rest")
    for path in args.path:
        cells = []
        for state in states:
            runs = rounds[path, state]
            i = runs.index(statistics.median_low(runs))
            split, python = parts[path, state][i], runs[i][1]
            rest = python - sum(split.values())
            cells.append(
                f"{state}: {split['template']:.2f} / {split['sql']:.2f} / "
                f"{split['cache']:.2f} / {rest:.2f} ms"
            )
        print(f"{path:30s} " + "   ".join(cells))


if __name__ == "__main__":
    main()
