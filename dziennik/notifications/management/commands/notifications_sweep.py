"""``manage.py notifications_sweep``: queue the outbox's sweep once (for engines whose
workers do not queue it every minute themselves, e.g. RQ: run it from a timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dziennik.notifications.tasks import notifications_sweep


class Command(BaseCommand):
    help = "Queue the delivery of every notification that is due (docs/notifications.md)"

    def handle(self, *args, **options) -> None:
        notifications_sweep.enqueue()
