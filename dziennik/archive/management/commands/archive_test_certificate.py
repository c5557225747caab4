"""Make a self-signed test certificate (PKCS#12) to sign year-end archives with, for the
demo and the tests: never a school's real signature (docs/archive.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dziennik.archive import signing


class Command(BaseCommand):
    help = "Create a self-signed test certificate (PKCS#12, one year) for year-end archives."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="",
            help="where to write it (default: ARCHIVE_P12, else ARCHIVE_DIR/test-certificate.p12)",
        )
        parser.add_argument("--password", default=None, help="default: ARCHIVE_P12_PASSWORD")
        parser.add_argument("--name", default="Dziennik – certyfikat testowy archiwum")
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--force", action="store_true", help="replace an existing file")

    def handle(self, *args, **options):
        output = Path(
            options["output"]
            or settings.ARCHIVE_P12
            or Path(settings.ARCHIVE_DIR) / signing.TEST_CERTIFICATE_NAME
        )
        if output.exists() and not options["force"]:
            raise CommandError(f"{output} exists already (use --force to replace it)")
        password = (
            settings.ARCHIVE_P12_PASSWORD if options["password"] is None else options["password"]
        )
        data = signing.make_test_certificate(
            common_name=options["name"], password=password, days=options["days"]
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        output.chmod(0o600)
        self.stdout.write(f"Test certificate written to {output}")
