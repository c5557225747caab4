"""Queue the morning draw of every school's lucky number (C-07; e.g. from a systemd timer
before lessons, docs/production.md). Without it the number is drawn on the day's first
view of a home page; with it, before anyone looks."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dziennik.lucky.tasks import lucky_numbers_draw


class Command(BaseCommand):
    help = "Queue the draw of every school's lucky number for a day."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, date=None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        lucky_numbers_draw.enqueue(day.isoformat())
        self.stdout.write(f"Queued the lucky number's draw for {day}.")
