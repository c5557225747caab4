"""Benchmark: what a OneRoster answer costs for the demo school (25 students a class).

Re-creates the PostgreSQL database given, migrates it, builds the demo school, gives its
Moodle a OneRoster client, then times (median of ``--rounds``) building the roster, the
bulk CSV zip, and the API's ``/users`` and ``/enrollments`` through a real token, and
counts their queries. Prints the figures. Not a test.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--students-per-class", default="25")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = os.environ | {
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
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

    settings.ALLOWED_HOSTS.append("testserver")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dziennik.oneroster import csvfiles, selectors, services
    from dziennik.oneroster.models import RosterClient
    from dziennik.oneroster.tests.factories import access_token, api_get
    from dziennik.schools.models import SchoolRole
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
        with CaptureQueriesContext(connection) as queries:
            api_get(url, token, limit=100)
        ms = _timed(args.rounds, lambda url=url: api_get(url, token, limit=100)) * 1000
        print(f"GET {path}?limit=100: {ms:.0f} ms, {len(queries)} queries")


if __name__ == "__main__":
    main()
