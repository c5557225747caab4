"""Print a new age identity for backups (``manage.py backup`` encrypts to its recipient).

    manage.py backup_keygen > /root/dziennik-backup-identity.txt

Keep the identity file off the server (the school's safe, a password manager, a printed
copy): it is the only way to open the backups. Put the printed public key in
``BACKUP_RECIPIENTS``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from dziennik.core.backup import new_identity


class Command(BaseCommand):
    help = "Print a new backup identity (secret) with its recipient (public key)."

    def handle(self, *args, **options):
        identity, recipient = new_identity()
        self.stdout.write(f"# created: {timezone.now().isoformat(timespec='seconds')}")
        self.stdout.write(f"# public key: {recipient}")
        self.stdout.write(identity)
        self.stderr.write(f"Public key (for BACKUP_RECIPIENTS): {recipient}")
