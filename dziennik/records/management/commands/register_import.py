"""``manage.py register_import FILE``: a new school from a register XML file (S-03).

The file is checked against the schema first; any error imports nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dziennik.records.xml_import import RegisterInvalid, register_import


class Command(BaseCommand):
    help = "Import a register XML export as a new school (docs/records.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **opts):
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            result = register_import(file)
        except RegisterInvalid as exc:
            raise CommandError("Nothing was imported.\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(f"Imported school {result.school.name} (id {result.school.pk}).")
        for tag, count in result.counts.items():
            self.stdout.write(f"  {tag}: {count}")
