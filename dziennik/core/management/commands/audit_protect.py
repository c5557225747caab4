"""Give the history of changes to a role the application cannot become (PostgreSQL).

Run once by the administrator after the first ``migrate``, and again after a restore
or a migration of the history table (it is idempotent). Either it prints the statements
for ``psql`` run as a superuser (``--print-sql``: it reads the catalogue as the
application's role), or it runs them itself through a superuser connection to the same
database (``--owner-url`` or ``AUDIT_OWNER_DATABASE_URL``) and then checks, as the
application's role, that nothing is left that could rewrite the history. What it does,
and why, is in ``dziennik.core.audit_roles`` and docs/production.md, section 2a.

    manage.py audit_protect --print-sql | sudo -u postgres psql -v ON_ERROR_STOP=1 dziennik
    manage.py audit_protect --owner-url postgres://postgres@127.0.0.1/dziennik
"""

from __future__ import annotations

import os

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dziennik.core.audit_roles import ProtectionRefused, ident, protection_plan, role_findings


class Command(BaseCommand):
    help = (
        "Make the history table owned by a NOLOGIN role the application cannot become; "
        "leave the application's role reading and appending only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--owner-url",
            default=os.environ.get("AUDIT_OWNER_DATABASE_URL", ""),
            help="a superuser connection to the application's database "
            "(default: $AUDIT_OWNER_DATABASE_URL)",
        )
        parser.add_argument(
            "--app-role",
            default="",
            help="the application's role (default: the role of DATABASE_URL)",
        )
        parser.add_argument(
            "--owner-role",
            default=settings.AUDIT_OWNER_ROLE,
            help=f"the role to own the history (default: {settings.AUDIT_OWNER_ROLE})",
        )
        parser.add_argument(
            "--print-sql",
            action="store_true",
            help="only print the statements (for psql run as a superuser)",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        app_role, database = self._target(options)
        owner_role = options["owner_role"]
        if options["print_sql"]:
            if connection.vendor != "postgresql":
                raise CommandError("--print-sql reads the application's PostgreSQL database.")
            with connection.cursor() as cursor:
                statements = self._plan(cursor, app_role, owner_role)
            self.stdout.write("BEGIN;")
            for statement in statements:
                self.stdout.write(f"{statement};")
            self.stdout.write("COMMIT;")
            return
        if not options["owner_url"]:
            raise CommandError("Give a superuser connection: --owner-url, or use --print-sql.")
        with psycopg.connect(options["owner_url"]) as owner:
            self._protect(owner, app_role, owner_role, database)
        self.stdout.write(
            self.style.SUCCESS(
                f"The history belongs to {owner_role}; {app_role} may only read it and add "
                "to it. Check with: manage.py check --deploy"
            )
        )

    def _target(self, options) -> tuple[str, str | None]:
        """The application's role and database (None when the role is given by hand)."""
        if options["app_role"]:
            return options["app_role"], None
        if connection.vendor != "postgresql":
            raise CommandError(
                "The application's database is not PostgreSQL: give its role with --app-role."
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            return cursor.fetchone()

    def _plan(self, cursor, app_role: str, owner_role: str) -> list[str]:
        try:
            return protection_plan(cursor, app_role=app_role, owner_role=owner_role)
        except ProtectionRefused as exc:
            raise CommandError(str(exc)) from exc

    def _protect(self, owner, app_role: str, owner_role: str, database: str | None) -> None:
        with owner.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, current_database() FROM pg_roles WHERE rolname = current_user"
            )
            superuser, owner_database = cursor.fetchone()
            if not superuser:
                raise CommandError("--owner-url must connect as a superuser (e.g. postgres).")
            if database is not None and database != owner_database:
                raise CommandError(
                    f"--owner-url connects to {owner_database}, the application to {database}."
                )
            statements = self._plan(cursor, app_role, owner_role)
            for statement in statements:
                if self.verbosity > 1:
                    self.stdout.write(f"{statement};")
                cursor.execute(statement)
        owner.commit()
        # What the application's role can do now, seen as that role.
        with owner.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {ident(app_role)}")
            findings = role_findings(cursor)
        owner.rollback()
        if findings:
            raise CommandError(
                "The history is still not safe from the application's role:\n"
                + "\n".join(f"- {finding.message}" for finding in findings)
            )
