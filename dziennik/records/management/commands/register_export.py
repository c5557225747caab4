"""``manage.py register_export --school ID --year ID [--class ID] -o FILE``: the register
of a school's year (or of one class) as XML (docs/records.md). Recorded in the history."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dziennik.records.models import RegisterExport
from dziennik.records.services import export_recorded
from dziennik.records.xml_export import Scope, write_register
from dziennik.schools.models import School, SchoolClass, SchoolYear


class Command(BaseCommand):
    help = "Export the register of a school year (or one class) to XML (docs/records.md)."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, required=True, help="School id.")
        parser.add_argument("--year", type=int, required=True, help="School year id.")
        parser.add_argument("--class", dest="school_class", type=int, help="Class id.")
        parser.add_argument("-o", "--output", type=Path, required=True, help="File to write.")

    def handle(self, *args, school, year, school_class, output: Path, **opts):
        school_obj = School.objects.filter(pk=school).first()
        if school_obj is None:
            raise CommandError(f"No school with id {school}.")
        year_obj = SchoolYear.objects.filter(pk=year, school=school_obj).first()
        if year_obj is None:
            raise CommandError(f"School {school} has no school year with id {year}.")
        class_obj = None
        if school_class is not None:
            class_obj = SchoolClass.objects.filter(pk=school_class, school_year=year_obj).first()
            if class_obj is None:
                raise CommandError(f"The year {year_obj.name} has no class with id {school_class}.")
        try:
            with output.open("wb") as out:
                write_register(out, Scope(school_obj, year_obj, class_obj))
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        export_recorded(
            actor=None,
            school=school_obj,
            year=year_obj,
            school_class=class_obj,
            via=RegisterExport.Via.COMMAND,
        )
        self.stdout.write(f"Wrote {output} ({output.stat().st_size} bytes).")
