"""Benchmark: notifications through the outbox to a local SMTP server, under load.

A producer commits notifications (a message to a person, in transactions of ``--batch``
people, at ``--rate`` notifications a second) into a PostgreSQL database; ``--workers``
task workers (``manage.py task_worker``, database queue, a shared Redis cache for the
"a run is queued" key) deliver them by e-mail to an SMTP server on loopback
(``testsupport.smtp``). Prints e-mails delivered per second and the outbox's latency
from the change's commit to the server's "250 OK" (``Delivery.sent_at`` minus
``Notification.created_at``) at p50/p95/p99. Not a test.

    .venv/bin/python bench/notifications.py
    .venv/bin/python bench/notifications.py --count 5000 --workers 2 --rate 500
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

import psycopg  # noqa: E402

from testsupport.smtp import SMTPServer  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")


def recreate(database_url: str) -> None:
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_NOTIFICATIONS_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/dziennik_notif_bench",
        ),
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--count", type=int, default=2000, help="notifications (e-mails)")
    parser.add_argument("--batch", type=int, default=10, help="people per committed change")
    parser.add_argument("--rate", type=float, default=400, help="notifications a second")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    recreate(args.database_url)
    with SMTPServer() as server:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "PYTEST"))
        } | {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "False",
            "DATABASE_URL": args.database_url,
            "CACHE_URL": args.cache_url,
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_URL": f"smtp://127.0.0.1:{server.port}",
            "LOG_LEVEL": "ERROR",
        }
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        os.environ.update(env)
        import django

        django.setup()
        from django.core.cache import cache
        from django.db import transaction

        from dziennik.accounts.models import User
        from dziennik.notifications import events, services
        from dziennik.notifications.models import Delivery
        from dziennik.schools.tests.factories import SchoolFactory

        cache.clear()
        school = SchoolFactory(name="Szkoła Podstawowa nr 1 w Gdańsku")
        people = User.objects.bulk_create(
            User(
                username=f"osoba{i}",
                first_name="Łukasz",
                last_name="Żółć",
                email=f"osoba{i}@example.pl",
                school=school,
            )
            for i in range(args.count)
        )
        command = [PYTHON, "manage.py", "task_worker", "--no-reload", "--interval", "0.05"]
        workers = [
            subprocess.Popen(
                [*command, "--no-startup-delay"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        try:
            time.sleep(2)  # the workers start
            started = time.perf_counter()
            for index in range(0, args.count, args.batch):
                due = started + index / args.rate
                if (pause := due - time.perf_counter()) > 0:
                    time.sleep(pause)
                with transaction.atomic():
                    services.notify(
                        event=events.MESSAGE,
                        school_id=school.pk,
                        recipient_ids=[p.pk for p in people[index : index + args.batch]],
                        key=f"bench:{index}",
                        params={"sender": "Sekretariat"},
                        urgent=True,
                    )
            produced = time.perf_counter() - started
            emails = Delivery.objects.filter(channel="email")
            deadline = time.monotonic() + 600
            while emails.filter(status="sent").count() < args.count:
                if time.monotonic() > deadline:
                    raise SystemExit("not all delivered within 10 minutes")
                time.sleep(0.2)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(30)
        rows = list(emails.values_list("notification__created_at", "sent_at"))
        latencies = [(sent - created).total_seconds() * 1000 for created, sent in rows]
        first = min(created for created, _sent in rows)
        last = max(sent for _created, sent in rows)
        span = (last - first).total_seconds()
        received = len(server.received)
    print(
        f"notifications: {args.count} e-mails, {args.workers} workers, offered "
        f"{args.rate:.0f}/s in changes of {args.batch} (produced in {produced:.1f} s)"
    )
    print(f"  received by the SMTP server: {received} (each once: {received == args.count})")
    print(f"  delivered per second: {args.count / span:.0f}/s (first change to last e-mail)")
    print(
        f"  outbox latency change→delivered: p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, "
        f"mean {statistics.mean(latencies):.0f} ms"
    )


if __name__ == "__main__":
    main()
