"""Write a school's OneRoster 1.2 CSV zip (bulk, or a delta since a moment)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dziennik.oneroster import csvfiles, selectors
from dziennik.schools.models import School
from dziennik.sso.models import Platform


def _moment(text: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text!r} is not an ISO 8601 moment") from None
    if value.tzinfo is None:
        raise CommandError("--since needs its time zone (e.g. 2026-11-01T00:00:00+01:00)")
    return value


class Command(BaseCommand):
    help = "Write a school's OneRoster 1.2 CSV files as a zip (bulk, or --since for a delta)."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, required=True, help="the school's id")
        parser.add_argument(
            "--platform", type=int, help="for this platform of the school (its sso ids, gating)"
        )
        parser.add_argument("--since", help="a delta: only changes after this ISO 8601 moment")
        parser.add_argument("-o", "--output", required=True, help="the zip file to write")

    def handle(self, *args, **options):
        school = School.objects.filter(pk=options["school"]).first()
        if school is None:
            raise CommandError(f"No school {options['school']}")
        platform = None
        if options["platform"] is not None:
            platform = Platform.objects.filter(pk=options["platform"], school=school).first()
            if platform is None:
                raise CommandError(f"The school has no platform {options['platform']}")
        since = _moment(options["since"]) if options["since"] else None
        roster = selectors.school_roster(school=school, platform=platform)
        if roster is None:
            raise CommandError("The school has no school year yet")
        data = csvfiles.zipped(roster, since=since)
        Path(options["output"]).write_bytes(data)
        self.stdout.write(
            f"{options['output']}: {len(roster.users)} users, {len(roster.classes)} classes, "
            f"{len(roster.enrollments)} enrollments ({'delta' if since else 'bulk'})"
        )
