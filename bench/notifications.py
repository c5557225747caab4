"""Benchmark: notifications through the outbox to a local SMTP or SMPP server, under load.

A producer commits notifications (a message to a person, in transactions of ``--batch``
people, at ``--rate`` notifications a second) into a PostgreSQL database; ``--workers``
task workers (``manage.py task_worker``, database queue, a shared Redis cache for the
"a run is queued" key) deliver them by e-mail to an SMTP server on loopback
(``testsupport.smtp``). Prints e-mails delivered per second and the outbox's latency
from the change's commit to the server's "250 OK" (``Delivery.sent_at`` minus
``Notification.created_at``) at p50/p95/p99. Not a test.

``--channel sms``: the same by SMS to a real SMPP server (``testsupport.smpp``, the npm
``smpp`` server) that sends a delivery receipt for each message at once; the receipts
are recorded by ``manage.py sms_receipts`` (a receiver bind), so "delivered" is the
receipt's arrival (``Delivery.delivered_at``) and "accepted" the SMSC's submit_sm_resp.

    .venv/bin/python bench/notifications.py
    .venv/bin/python bench/notifications.py --count 5000 --workers 2 --rate 500
    .venv/bin/python bench/notifications.py --channel sms --count 2000
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

from testsupport.smpp import SMPPServer  # noqa: E402
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
    parser.add_argument("--channel", choices=["email", "sms"], default="email")
    args = parser.parse_args()

    recreate(args.database_url)
    server = SMPPServer() if args.channel == "sms" else SMTPServer()
    with server:
        gateway = (
            {"SMS_GATEWAY": "smpp", "SMPP_URL": server.url}
            if args.channel == "sms"
            else {"EMAIL_URL": f"smtp://127.0.0.1:{server.port}"}
        )
        env = (
            {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "PYTEST"))
            }
            | {
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DEBUG": "False",
                "DATABASE_URL": args.database_url,
                "CACHE_URL": args.cache_url,
                "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                "LOG_LEVEL": "ERROR",
            }
            | gateway
        )
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
        from dziennik.notifications.models import Delivery, Preferences
        from dziennik.schools.models import Guardian
        from dziennik.schools.tests.factories import SchoolFactory

        cache.clear()
        school = SchoolFactory(name="Szkoła Podstawowa nr 1 w Gdańsku")
        people = User.objects.bulk_create(
            User(
                username=f"osoba{i}",
                first_name="Łukasz",
                last_name="Żółć",
                email=f"osoba{i}@example.pl" if args.channel == "email" else "",
                school=school,
            )
            for i in range(args.count)
        )
        if args.channel == "sms":  # parents with mobile numbers, SMS allowed and chosen
            Guardian.objects.bulk_create(
                Guardian(school=school, first_name="Łukasz", last_name="Żółć", user=person,
                         phone=f"+48 600 {i:06d}")
                for i, person in enumerate(people)
            )  # fmt: skip
            Preferences.objects.bulk_create(
                Preferences(user=person, sms_allowed=True,
                            channels={events.MESSAGE: [events.IN_APP, events.SMS]})
                for person in people
            )  # fmt: skip
            server.auto_receipts()
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
        if args.channel == "sms":
            workers.append(
                subprocess.Popen(
                    [PYTHON, "manage.py", "sms_receipts", "--pause", "0.2"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
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
            emails = Delivery.objects.filter(channel=args.channel)
            done = "delivered" if args.channel == "sms" else "sent"
            deadline = time.monotonic() + 600
            while emails.filter(status=done).count() < args.count:
                if time.monotonic() > deadline:
                    raise SystemExit("not all delivered within 10 minutes")
                time.sleep(0.2)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(30)
        settled = "delivered_at" if args.channel == "sms" else "sent_at"
        rows = list(emails.values_list("notification__created_at", settled, "sent_at"))
        latencies = [(done - created).total_seconds() * 1000 for created, done, _sent in rows]
        accepted = [(sent - created).total_seconds() * 1000 for created, _done, sent in rows]
        first = min(row[0] for row in rows)
        last = max(row[1] for row in rows)
        span = (last - first).total_seconds()
        if args.channel == "sms":
            destinations = [m.destination for m in server.messages()]
            received, unique = len(destinations), len(set(destinations))
        else:
            received = unique = len({r.recipients[0] for r in server.received})
            received = len(server.received)
    what, one, where = (
        ("SMS", "SMS", "SMPP") if args.channel == "sms" else ("e-mails", "e-mail", "SMTP")
    )
    print(
        f"notifications: {args.count} {what}, {args.workers} workers, offered "
        f"{args.rate:.0f}/s in changes of {args.batch} (produced in {produced:.1f} s)"
    )
    print(
        f"  received by the {where} server: {received} "
        f"(each once: {received == unique == args.count})"
    )
    print(f"  delivered per second: {args.count / span:.0f}/s (first change to last {one})")
    if args.channel == "sms":
        print(
            f"  change→accepted by the SMSC: p50 {percentile(accepted, 0.5):.0f} ms, "
            f"p95 {percentile(accepted, 0.95):.0f} ms"
        )
    label = "change→receipt recorded" if args.channel == "sms" else "change→delivered"
    print(
        f"  outbox latency {label}: p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, "
        f"mean {statistics.mean(latencies):.0f} ms"
    )


if __name__ == "__main__":
    main()
