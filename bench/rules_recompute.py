"""Benchmark: what a change of the grading rules costs in the principal's request.

A new category weight, a special mark's value or a new point scale re-values the school's
grades and rebuilds its stored averages (``grades.services.recompute_school``). This
measures that on the scaled demo school (about 1,000 students with this year's grades so
far) in PostgreSQL: the recompute alone, and a whole weight change through the service
(``grades.settings_services.grade_category_update``), each in a transaction rolled back
afterwards, so the database is left as built. Prints the figures. Not a test.

    .venv/bin/python bench/rules_recompute.py --build      # build the school, then measure
    .venv/bin/python bench/rules_recompute.py              # measure again
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Rollback(Exception):
    pass


def build(database_url: str, students_per_class: int, classes_per_level: int) -> None:
    import psycopg

    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    env = dict(os.environ, DATABASE_URL=database_url)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run(
        [
            *manage,
            "demo",
            "--seed",
            "1",
            "--students-per-class",
            str(students_per_class),
            "--classes-per-level",
            str(classes_per_level),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    print(f"built the scaled demo in {time.perf_counter() - started:.1f} s")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def measure(runs: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dziennik.grades import services, settings_services
    from dziennik.grades.models import Grade, GradeCategory, StudentAverage
    from dziennik.schools.models import SchoolRole, Student

    school_id = Student.objects.values_list("school_id", flat=True).first()
    principal = SchoolRole.objects.filter(school_id=school_id, role="principal").first().user
    category = (
        GradeCategory.objects.filter(school_id=school_id, assessments__isnull=False)
        .distinct()
        .order_by("-weight", "name")
        .first()
    )
    print(
        f"school {school_id}: {Student.objects.filter(school_id=school_id).count()} students, "
        f"{Grade.objects.filter(school_id=school_id).count()} grades, "
        f"{StudentAverage.objects.filter(school_id=school_id).count()} stored averages"
    )

    def timed(label: str, action) -> None:
        seconds, queries = [], 0
        for _run in range(runs):
            try:
                with transaction.atomic():
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        action()
                        seconds.append(time.perf_counter() - started)
                    queries = len(captured)
                    raise Rollback
            except Rollback:
                pass
        print(
            f"{label}: median {statistics.median(seconds):.2f} s, "
            f"min {min(seconds):.2f} s, max {max(seconds):.2f} s, {queries} queries"
        )

    timed("recompute_school", lambda: services.recompute_school(school_id))
    timed(
        f"grade_category_update ({category.name}: weight {category.weight} -> 1)",
        lambda: settings_services.grade_category_update(
            actor=principal, category=category, weight=1
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dziennik_bench_rules"
        ),
    )
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--students-per-class", type=int, default=32)
    parser.add_argument("--classes-per-level", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.build:
        build(args.database_url, args.students_per_class, args.classes_per_level)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(ROOT))
    measure(args.runs)


if __name__ == "__main__":
    main()
