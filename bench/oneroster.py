"""Benchmark: what a OneRoster answer costs for the demo school (25 students a class).

Re-creates the PostgreSQL database given, migrates it, builds the demo school (or, with
``--reuse``, takes the database as a previous run left it), gives its Moodle a OneRoster
client, then times (median of ``--rounds``) building the roster, the bulk CSV zip, and a
page (``limit=100``) of the API's ``/users``, ``/enrollments`` and gradebook ``/results``
through a real token: **cold** (the cache emptied before each call: what the first
request after a change costs, and every request without a shared cache) and **warm**
(the school's data unchanged since the previous request), with their queries. Prints
the figures. Not a test.

    .venv/bin/python bench/oneroster.py --database-url postgres://postgres@127.0.0.1/x
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
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def recreate(database_url: str) -> None:
    import psycopg

    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _timed(rounds: int, call) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class _Counted:
    """The queries run on the default database while it is open (whatever the debug
    settings and however often the request closes the connection)."""

    def __init__(self, connection):
        self.connection, self.count = connection, 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.wrapper = self.connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--students-per-class", default="25")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database as it is")
    args = parser.parse_args()
    env = os.environ | {
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    if not args.reuse:
        recreate(args.database_url)
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run(
            [*manage, "demo", "--students-per-class", args.students_per_class],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    settings.ALLOWED_HOSTS.append("testserver")
    from django.db import connection

    from dziennik.core.cache import bump, data_scope
    from dziennik.oneroster import csvfiles, selectors, services
    from dziennik.oneroster.models import RosterClient
    from dziennik.oneroster.tests.factories import access_token, api_get
    from dziennik.schools.models import SchoolClass, SchoolRole
    from dziennik.sso.models import Platform

    platform = Platform.objects.order_by("pk").first()
    school = platform.school
    RosterClient.objects.filter(platform=platform).update(active=False)
    principal = SchoolRole.objects.filter(school=school, role="principal").first().user
    client, secret = services.roster_client_create(
        actor=principal, platform=platform, gradebook=True
    )
    token = access_token(client, secret)
    roster = selectors.school_roster(school=school, platform=platform)
    print(
        f"demo school: {len(roster.users)} users, {len(roster.classes)} classes, "
        f"{len(roster.enrollments)} enrollments"
    )
    build = _timed(args.rounds, lambda: selectors.school_roster(school=school))
    print(f"build the roster: {build * 1000:.0f} ms")
    bulk = _timed(args.rounds, lambda: csvfiles.zipped(selectors.school_roster(school=school)))
    print(f"bulk CSV zip: {bulk * 1000:.0f} ms")
    for path in ("rostering/v1p2/users", "rostering/v1p2/enrollments", "gradebook/v1p2/results"):
        url = "/ims/oneroster/" + path

        def cold(url=url):
            cache.clear()
            assert api_get(url, token, limit=100).status_code == 200

        def warm(url=url):
            assert api_get(url, token, limit=100).status_code == 200

        cache.clear()
        with _Counted(connection) as cold_queries:
            warm()
        with _Counted(connection) as warm_queries:
            warm()
        cold_ms = _timed(args.rounds, cold) * 1000
        warm_ms = _timed(args.rounds, warm) * 1000
        print(
            f"GET {path}?limit=100: cold {cold_ms:.0f} ms ({cold_queries.count} queries), "
            f"warm {warm_ms:.0f} ms ({warm_queries.count} queries)"
        )
    # A teacher's new grade moves one class's data scope: the roster stays cached, the
    # results' columns are read again.
    url = "/ims/oneroster/gradebook/v1p2/results"
    class_id = SchoolClass.objects.filter(school=school).order_by("pk").first().pk

    def graded():
        bump(data_scope(class_id))
        assert api_get(url, token, limit=100).status_code == 200

    ms = _timed(args.rounds, graded) * 1000
    print(f"GET gradebook/v1p2/results?limit=100 after a class's new grade: {ms:.0f} ms")


if __name__ == "__main__":
    main()
