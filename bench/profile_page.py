"""Profile one page built afresh (a cache miss) in-process, on the bench's database.

    .venv/bin/python bench/profile_page.py --path /oceny/uczen/123/ --username rodzic_x \
        --student 123 [--database-url ...] [--cache-url redis://127.0.0.1:18866/0] [-n 50]

The same settings as the bench's server (``config.settings.production``, the bench's
application role); before every request the student's cache version is moved, as a new
grade would. Prints the mean wall time per request and the cProfile table (cumulative),
or ``--pyinstrument`` output when that is installed. Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--student", type=int, required=True)
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
    args = parser.parse_args()

    from run import app_url, bench_env

    env = bench_env(app_url(args.database_url))
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    os.environ.update(env)
    import django

    django.setup()
    from django.test import Client

    from dziennik.accounts.models import User
    from dziennik.core import cache

    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    client.force_login(User.objects.get(username=args.username))

    def one() -> None:
        if not args.warm:
            cache.bump(cache.student_scope(args.student))
        response = client.get(args.path)
        assert response.status_code == 200, response.status_code

    for _ in range(5):
        one()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        one()
    wall = (time.perf_counter() - started) * 1000 / args.n
    cpu = (time.process_time() - cpu) * 1000 / args.n
    print(f"{args.path}: {wall:.2f} ms wall, {cpu:.2f} ms CPU (this process) per request")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        one()
    print(f"{len(queries.captured_queries)} queries:")
    for query in queries.captured_queries:
        print(f"  {query['time']}s {query['sql'][:300]}")
    # CPU time, not wall time: the server's cost, not its waits (the database's CPU is
    # the database's own, measured by the bench)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(args.n):
        one()
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
