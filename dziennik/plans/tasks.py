"""Reminders before a paid plan ends (``reminders``): queued every minute by
``manage.py task_worker`` (``settings.TASK_WORKER_PERIODIC``); safe to run twice (the
outbox's keys)."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone

from . import reminders
from .services import sms


@task
def plans_expiry_remind(day: str | None = None) -> int:
    """Remind the families whose plan ends in 30 or 7 days from ``day`` (ISO date;
    today by default); returns how many notifications are new."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return reminders.remind(today=today)


@task
def plans_accesses_close(day: str | None = None) -> int:
    """Apply the end of the accesses that ended before ``day`` (ISO date; today by
    default): the family's SMS goes off where nothing else grants it; once each."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return sms.accesses_close(today=today)
