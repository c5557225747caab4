"""Verify a year-end archive: runs the independent verifier, scripts/verify_archive.py
(which needs no Django), and exits with its status."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dziennik.archive.builder import verify_archive_file


class Command(BaseCommand):
    help = "Verify a year-end archive (every hash, every signature, the manifest's signature)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--trust", default="", help="the signer's SHA-256 fingerprint")

    def handle(self, *args, **options):
        passed, message = verify_archive_file(options["path"], options["trust"])
        if not passed:
            raise CommandError(message)
        self.stdout.write(message)
