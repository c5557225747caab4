"""Benchmark: what the hash chain of the history costs on PostgreSQL.

The database numbers and hashes every history entry as it inserts it (a ``BEFORE
INSERT`` trigger holding an advisory lock on the school's chain until the transaction
ends; ``dziennik.core.audit_chain``). This measures, in a database of its own, the time
per entry of one-entry transactions (a grade), of a lesson's ``record_many`` (32 entries)
and of a 500-entry batch, with the chain and without it (trigger and index dropped), and
the throughput of several connections appending at once to one school's chain and to
their own schools' chains. Prints the figures. Not a test.

    .venv/bin/python bench/audit_chain.py
    .venv/bin/python bench/audit_chain.py --database-url postgres://postgres@127.0.0.1/x
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WITHOUT_CHAIN = [
    "DROP TRIGGER core_auditentry_chain ON core_auditentry",
    "DROP INDEX core_auditentry_chain_seq",
]


def build(database_url: str) -> None:
    import psycopg

    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = dict(os.environ, DATABASE_URL=database_url)
    manage = [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"]
    subprocess.run(manage, env=env, check=True, cwd=ROOT)


def measure(schools, runs: int) -> dict[str, float]:
    """Microseconds per entry: one-entry transactions, a lesson, a 500-entry batch."""
    from django.db import transaction

    from dziennik.core import audit

    school = schools[0]

    def entries(count):
        return [
            audit.build_entry(
                actor=None,
                instance=school,
                action="update",
                changes={"name": ["a", "b"]},
                school_id=school.pk,
            )
            for _ in range(count)
        ]

    figures = {}
    for label, size, repeat in (("single", 1, runs), ("lesson", 32, runs // 8), ("batch", 500, 4)):
        timings = []
        for _ in range(repeat):
            batch = entries(size)
            started = time.perf_counter()
            with transaction.atomic():
                audit.record_many(batch)
            timings.append((time.perf_counter() - started) / size * 1e6)
        figures[label] = statistics.median(timings)
    return figures


def contention(schools, threads: int, seconds: float, shared: bool) -> float:
    """One-entry transactions per second of ``threads`` connections appending at once,
    all to the first school's chain (``shared``) or each to its own school's."""
    from django.db import connection, transaction

    from dziennik.core import audit

    done = [0] * threads
    stop = time.perf_counter() + seconds

    def work(index: int) -> None:
        school = schools[0 if shared else index]
        while time.perf_counter() < stop:
            with transaction.atomic():
                audit.record_create(actor=None, instance=school, school_id=school.pk)
            done[index] += 1
        connection.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dziennik_bench_chain"
        ),
    )
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    if not args.skip_build:
        build(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.db import connection

    from dziennik.core.audit_chain import verify
    from dziennik.schools.models import School

    schools = [School.objects.create(name=f"Szkoła {i}") for i in range(args.threads)]
    with_chain = measure(schools, args.runs)
    shared = contention(schools, args.threads, args.seconds, shared=True)
    own = contention(schools, args.threads, args.seconds, shared=False)
    assert verify().ok, "the chain must verify after the load"
    with connection.cursor() as cursor:
        for sql in WITHOUT_CHAIN:
            cursor.execute(sql)
    without = measure(schools, args.runs)
    shared_without = contention(schools, args.threads, args.seconds, shared=True)
    print(f"{'µs per entry':24s} {'with chain':>11s} {'without':>9s} {'extra':>8s}")
    for label, name in (
        ("single", "1-entry transaction"),
        ("lesson", "lesson (32)"),
        ("batch", "batch of 500"),
    ):
        extra = with_chain[label] - without[label]
        print(f"{name:24s} {with_chain[label]:11.0f} {without[label]:9.0f} {extra:8.0f}")
    print(
        f"\n{args.threads} connections, 1-entry transactions per second:\n"
        f"  one school's chain   {shared:8.0f}  (without the chain {shared_without:.0f})\n"
        f"  a chain each         {own:8.0f}"
    )


if __name__ == "__main__":
    main()
