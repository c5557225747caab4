"""Benchmark: what the hash chain of the history costs on PostgreSQL.

The database numbers and hashes every history entry as it inserts it (a ``BEFORE
INSERT`` trigger holding an advisory lock on the school's chain until the transaction
ends; ``dziennik.core.audit_chain``). This measures, in a database of its own (built
afresh each time):

* the trigger's own time per entry, as PostgreSQL reports it (``EXPLAIN ANALYZE`` of
  inserts of 1, 32 and 500 entries, rolled back);
* the time per entry through the application (``audit.record_many`` in a transaction:
  one entry as a grade, 32 as a lesson, 500 as a batch), with the chain and without it
  (trigger and index dropped), in alternating rounds so the machine's other load falls
  on both;
* the throughput of several processes (as gunicorn workers) committing one-entry
  transactions at once, all to one school's chain, each to its own school's, and without
  the chain.

Prints the figures. Not a test.

    .venv/bin/python bench/audit_chain.py
    .venv/bin/python bench/audit_chain.py --database-url postgres://postgres@127.0.0.1/x
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = (("grade (1 entry)", 1), ("lesson (32)", 32), ("batch (500)", 500))
CHAIN_OFF = [
    "DROP TRIGGER core_auditentry_chain ON core_auditentry",
    "DROP INDEX core_auditentry_chain_seq",
]
CHAIN_ON = [
    # the rows written without the chain go (they have no place in it)
    "ALTER TABLE core_auditentry DISABLE TRIGGER USER",
    "DELETE FROM core_auditentry WHERE chain_seq = 0",
    "ALTER TABLE core_auditentry ENABLE TRIGGER USER",
    "CREATE UNIQUE INDEX core_auditentry_chain_seq ON core_auditentry "
    "((COALESCE(school_id, 0)), chain_seq)",
    "CREATE TRIGGER core_auditentry_chain BEFORE INSERT ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION core_auditentry_chain()",
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


def switch_chain(on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in CHAIN_ON if on else CHAIN_OFF:
            cursor.execute(sql)


def trigger_time(school, size: int, repeat: int) -> float:
    """Microseconds per entry the chain trigger takes, as PostgreSQL measures it."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    content_type = ContentType.objects.get_for_model(school).pk
    timings = []
    for _ in range(repeat):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO core_auditentry "
                "(at, action, object_id, object_repr, changes, content_type_id, school_id) "
                "SELECT now(), 'update', g::text, 'x', %s, %s, %s FROM generate_series(1, %s) g",
                ['{"name": ["a", "b"]}', content_type, school.pk, size],
            )
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            (trigger,) = [
                t for t in plan[0]["Triggers"] if t["Trigger Name"] == "core_auditentry_chain"
            ]
            timings.append(trigger["Time"] * 1000 / trigger["Calls"])
            transaction.set_rollback(True)
    return statistics.median(timings)


def per_entry(school, size: int, repeat: int) -> list[float]:
    """Microseconds per entry of ``record_many`` of ``size`` entries in a transaction."""
    from django.db import transaction

    from dziennik.core import audit

    timings = []
    for _ in range(repeat):
        batch = [
            audit.build_entry(
                actor=None,
                instance=school,
                action="update",
                changes={"name": ["a", "b"]},
                school_id=school.pk,
            )
            for _ in range(size)
        ]
        started = time.perf_counter()
        with transaction.atomic():
            audit.record_many(batch)
        timings.append((time.perf_counter() - started) / size * 1e6)
    return timings


def _append_until(school_id: int, start: float, stop: float, done) -> None:
    """One process (as a gunicorn worker is): one-entry transactions until ``stop``."""
    from django.db import connection, transaction

    from dziennik.core import audit
    from dziennik.schools.models import School

    school = School.objects.get(pk=school_id)
    count = 0
    while time.time() < start:
        time.sleep(0.01)
    while time.time() < stop:
        with transaction.atomic():
            audit.record_create(actor=None, instance=school, school_id=school.pk)
        count += 1
    connection.close()
    with done.get_lock():
        done.value += count


def throughput(schools, seconds: float, shared: bool) -> float:
    """One-entry transactions per second of one process per school appending at once,
    all to the first school's chain (``shared``) or each to its own school's."""
    from django.db import connections

    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    done = context.Value("i", 0)
    start = time.time() + 1
    workers = [
        context.Process(
            target=_append_until,
            args=(schools[0 if shared else i].pk, start, start + seconds, done),
        )
        for i in range(len(schools))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return done.value / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dziennik_bench_chain"
        ),
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    build(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from dziennik.core.audit_chain import verify
    from dziennik.schools.models import School

    schools = [School.objects.create(name=f"Szkoła {i}") for i in range(args.processes)]
    print("chain trigger's own time (EXPLAIN ANALYZE), µs per entry:")
    for label, size in SIZES:
        print(f"  {label:18s} {trigger_time(schools[0], size, 20):7.1f}")

    timings = {(label, on): [] for label, _ in SIZES for on in (True, False)}
    rates = {name: [] for name in ("one chain", "a chain each", "no chain")}
    for round_number in range(args.rounds):
        for on in (True, False):
            if round_number or not on:  # the database starts with the chain
                switch_chain(on)
            for label, size in SIZES:
                repeat = max(4, args.runs // size) if size > 1 else args.runs
                timings[label, on] += per_entry(schools[0], size, repeat)
            if on:
                rates["one chain"].append(throughput(schools, args.seconds, shared=True))
                rates["a chain each"].append(throughput(schools, args.seconds, shared=False))
                assert verify().ok, "the chain must verify after the load"
            else:
                rates["no chain"].append(throughput(schools, args.seconds, shared=True))
    switch_chain(True)

    print(f"\nthrough audit.record_many, µs per entry (median of {args.rounds} rounds):")
    print(f"  {'':18s} {'with chain':>10s} {'without':>8s} {'extra':>7s}")
    for label, _ in SIZES:
        with_chain = statistics.median(timings[label, True])
        without = statistics.median(timings[label, False])
        print(f"  {label:18s} {with_chain:10.0f} {without:8.0f} {with_chain - without:7.0f}")
    print(f"\n{args.processes} processes committing 1-entry transactions, per second (median):")
    for name, values in rates.items():
        print(f"  {name:14s} {statistics.median(values):7.0f}")


if __name__ == "__main__":
    main()
