"""Write an encrypted backup of the whole database (``dziennik.core.backup``, rule L-03).

    manage.py backup --output /var/backups/dziennik/dziennik-2026-12-07.age
    manage.py backup --output FILE --recipient age1… --recipient age1…

The recipients (public keys) come from ``BACKUP_RECIPIENTS`` unless given here; the
identity that opens the file stays with the school (``manage.py backup_keygen``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dziennik.core.backup import BackupRefused, backup


class Command(BaseCommand):
    help = "Write an encrypted backup (age) of the database: pg_dump or SQLite's backup API."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="the file to write")
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="an age public key (age1…) to encrypt to; repeatable; default BACKUP_RECIPIENTS",
        )

    def handle(self, *args, output: Path, recipient: list[str], **options):
        recipients = recipient or settings.BACKUP_RECIPIENTS
        try:
            manifest = backup(output=output, recipients=recipients)
        except BackupRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup of the {manifest.vendor} database written to {output}: "
                f"{manifest.size} bytes before encryption, SHA-256 {manifest.sha256}, "
                f"{len(manifest.migrations)} migrations, encrypted to "
                f"{len(recipients)} recipient(s)."
            )
        )
