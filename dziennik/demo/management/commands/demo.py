"""``manage.py demo``: build the demo school (and, scaled, many schools) for trying
Dziennik out and for benchmarks. See the README for the accounts it creates."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError, Q

from dziennik.accounts.models import User
from dziennik.core.models import AppendOnlyError, AuditEntry
from dziennik.demo.school import DemoOptions, build_demo, reset_apps
from dziennik.schools.models import School

RESET_REFUSED = (
    "The history of changes is append-only, and it already holds entries about these "
    "schools, so their data cannot be removed from this database. Start from a fresh "
    "database instead: `make clean && make run` for the local SQLite database, or drop "
    "and re-create the PostgreSQL database and run `manage.py migrate`."
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Build a demo primary school with Polish names, classes, teachers and families."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--schools", type=_positive, default=1, help="number of schools")
        parser.add_argument(
            "--students-per-class", type=_positive, default=25, help="students in each class"
        )
        parser.add_argument(
            "--classes-per-level",
            type=_positive,
            default=1,
            help="classes per level 1–8 (1 gives 1a…8a; 5 gives 1a–1e … 8a–8e)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when a school exists already"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="remove every school and its accounts first (refused once the history "
            "of changes holds entries about them)",
        )

    def handle(self, *args, **options):
        if School.objects.exists():
            if options["if_empty"]:
                self.stdout.write("A school exists already: the demo was not loaded again.")
                return
            if not options["reset"]:
                raise CommandError(
                    "The database already holds a school. Use --reset to replace it "
                    "or --if-empty to leave it."
                )
            self._reset()
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")
            self.stdout.flush()

        contexts = build_demo(
            DemoOptions(
                seed=options["seed"],
                schools=options["schools"],
                students_per_class=options["students_per_class"],
                classes_per_level=options["classes_per_level"],
            ),
            progress,
        )
        # Bulk-loaded tables have no planner statistics until autovacuum gets to them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        progress("planner statistics updated (ANALYZE)")
        # The loaders moved each new school's cache versions; a reset may have handed the
        # old schools' ids out again, so nothing else cached (visit marks) outlives them.
        cache.clear()
        students = sum(len(s) for ctx in contexts for s in ctx.students_by_class.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(contexts)} school(s), {students} students, "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    def _reset(self) -> None:
        school_ids = list(School.objects.values_list("pk", flat=True))
        users = User.objects.filter(school_id__in=school_ids)
        history = AuditEntry.objects.filter(
            Q(school_id__in=school_ids)
            | Q(actor__in=users)
            | Q(student__school_id__in=school_ids)
            | Q(school_class__school_id__in=school_ids)
        )
        if history.exists():
            raise CommandError(RESET_REFUSED)
        self.stdout.write(f"Removing {len(school_ids)} school(s) and their accounts…")
        try:
            with transaction.atomic():
                reset_apps(school_ids)
                users.delete()
                School.objects.filter(pk__in=school_ids).delete()
        except (ProtectedError, AppendOnlyError, DatabaseError) as exc:
            raise CommandError(f"{RESET_REFUSED} ({exc})") from exc
