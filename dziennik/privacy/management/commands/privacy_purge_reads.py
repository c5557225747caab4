"""Delete the read log's rows older than a year (docs/privacy.md); run it daily."""

from django.core.management.base import BaseCommand

from dziennik.privacy import services


class Command(BaseCommand):
    help = "Delete the log of staff reads of students' pages older than a year."

    def handle(self, *args, **options):
        deleted = services.reads_purge()
        self.stdout.write(f"Deleted {deleted} read log rows older than a year.")
