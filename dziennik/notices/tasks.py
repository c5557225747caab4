"""The announcement board's background work: queued every minute by
``manage.py task_worker`` (``settings.TASK_WORKER_PERIODIC``); safe to run twice."""

from __future__ import annotations

from django.tasks import task

from . import services


@task
def notices_shown_today() -> int:
    """Tell the readers of the announcements whose first day has come; answers how
    many announcements were told."""
    return services.announcements_shown_today_notify()
