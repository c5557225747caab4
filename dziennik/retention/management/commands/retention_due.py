"""List what is due for destruction, per school, kind of record and school year.

    manage.py retention_due [--school ID] [--date 2031-01-01]

Only lists: destroying needs the principal's confirmation on the retention screen
(docs/rules.md R-01 to R-09). Exit status 0 either way.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dziennik.retention.rules import year_label
from dziennik.retention.selectors import due_for_school
from dziennik.schools.models import School


class Command(BaseCommand):
    help = "List the records due for destruction under the retention rules (no deletion)."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, action="append", help="only this school")
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="as on this day (default today)"
        )

    def handle(self, *args, school=None, date=None, **options):
        today = date or timezone.localdate()
        schools = School.objects.order_by("pk")
        if school:
            schools = schools.filter(pk__in=school)
            missing = set(school) - set(schools.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No school with id {', '.join(map(str, sorted(missing)))}.")
        for each in schools:
            self.stdout.write(f"{each.name} (id {each.pk}), as on {today.isoformat()}:")
            nothing = True
            for state in due_for_school(each.pk, today):
                for item in state.due:
                    nothing = False
                    parts = ", ".join(f"{label} {n}" for label, n in sorted(item.counts.items()))
                    self.stdout.write(
                        f"  {state.kind.code} {year_label(item.year)}: {item.total} due since "
                        f"{item.due_from.isoformat()} ({parts})"
                    )
            if nothing:
                self.stdout.write("  nothing is due")
