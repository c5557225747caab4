"""``manage.py import_students <file> --school <id>``: the CSV import from the shell."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from dziennik.schools.imports import students_import
from dziennik.schools.models import School


class Command(BaseCommand):
    help = "Import classes, students and guardians from a CSV file (docs/import-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", type=int, required=True, help="School id.")
        parser.add_argument(
            "--actor",
            help="Username recorded as the author in the history (default: the system).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but write nothing."
        )

    def handle(self, *args, file: Path, school: int, actor: str | None, dry_run: bool, **opts):
        try:
            school_obj = School.objects.get(pk=school)
        except School.DoesNotExist as exc:
            raise CommandError(f"No school with id {school}.") from exc
        actor_obj = None
        if actor:
            actor_obj = get_user_model().objects.filter(username=actor, school=school_obj).first()
            if actor_obj is None:
                raise CommandError(f"No user {actor!r} in school {school}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            result = students_import(actor=actor_obj, school=school_obj, data=data, dry_run=dry_run)
        except PermissionDenied as exc:
            raise CommandError(
                f"{actor!r} does not run the office of school {school} (principal, deputy "
                "principal or secretary)."
            ) from exc
        if not result.ok:
            lines = [str(error) for error in result.file_errors]
            for row_error in result.row_errors:
                for message in row_error.messages:
                    lines.append(f"line {row_error.line}: {message}")
            raise CommandError("Nothing was imported.\n" + "\n".join(lines))
        for _key, label, counts in result.count_rows():
            self.stdout.write(
                f"{label}: created {counts.created}, updated {counts.updated}, "
                f"unchanged {counts.unchanged}"
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
