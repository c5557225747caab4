"""Queue the sweep of every school's early warnings for a day (run nightly, e.g. from a
systemd timer; docs/production.md). Saving marks re-checks the changed students at once;
the sweep catches what a save cannot: a school's changed threshold, corrected settings.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dziennik.attendance.tasks import attendance_alerts_check, attendance_alerts_sweep
from dziennik.schools.models import School


class Command(BaseCommand):
    help = "Queue the re-check of every school's attendance warnings for a day."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, date=None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        # marks a lost queue entry may have left unchecked go first
        attendance_alerts_check.enqueue()
        schools = list(School.objects.order_by("pk").values_list("pk", flat=True))
        for school_id in schools:
            attendance_alerts_sweep.enqueue(school_id, day.isoformat())
        self.stdout.write(f"Queued the warnings' sweep of {len(schools)} school(s) for {day}.")
