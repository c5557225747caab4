"""Replace the database with an encrypted backup (``dziennik.core.backup``).

    manage.py restore /var/backups/dziennik/dziennik-2026-12-07.age \\
        --identity /root/dziennik-backup-identity.txt [--yes]

Checks the whole file first (vendor, release, key, manifest, SHA-256, the dump) and
changes nothing when a check fails. Then PostgreSQL: ``pg_restore --clean --if-exists``
in one transaction into the configured database; SQLite: the database file's content is
replaced through the backup API. Afterwards run ``migrate`` if the restore says so, and
on PostgreSQL ``audit_protect`` and ``audit_verify`` (docs/production.md section 7).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dziennik.core.backup import BackupRefused, inspect, restore


class Command(BaseCommand):
    help = "Restore an encrypted backup into the configured database (replaces its data)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--identity", required=True, type=Path, help="the age identity file that opens it"
        )
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file: Path, identity: Path, yes: bool, **options):
        try:
            manifest, _to_run = inspect(path=file)
            if not yes:
                self._confirm(manifest)
            restored = restore(path=file, identity_file=identity)
        except BackupRefused as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {restored.manifest.created_at} "
                f"(SHA-256 {restored.manifest.sha256})."
            )
        )
        if restored.migrations_to_run:
            self.stdout.write(
                f"The backup predates {len(restored.migrations_to_run)} migration(s) of "
                "this release: run `manage.py migrate` now."
            )
        if connection.vendor == "postgresql":
            self.stdout.write(
                "Give the history back to its owner role (`manage.py audit_protect`) and "
                "check it (`manage.py audit_verify`)."
            )

    def _confirm(self, manifest) -> None:
        name = connection.settings_dict["NAME"]
        self.stdout.write(
            f"This replaces every row of the {connection.vendor} database {name} with the "
            f"backup made at {manifest.created_at}."
        )
        try:
            answer = input("Type yes to continue: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("Not restored: nothing was changed.")
