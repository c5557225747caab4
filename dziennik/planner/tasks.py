"""The evening reminders of the next school day (``reminders``): queued every minute by
``manage.py task_worker`` (``settings.TASK_WORKER_PERIODIC``), acting from
``settings.PLANNER_REMINDERS_AT`` on; safe to run twice (the outbox's keys)."""

from __future__ import annotations

import datetime

from django.tasks import task

from . import reminders


@task
def planner_tomorrow(day: str | None = None) -> int:
    """Tell families of ``day`` (ISO date; by default each school's next school day, in
    the evening); returns how many notifications are new."""
    return reminders.remind(day=datetime.date.fromisoformat(day) if day else None)
