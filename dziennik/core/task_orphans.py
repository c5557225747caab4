"""Tasks left behind by a worker that died (SIGKILL, out of memory, a power cut).

``django_tasks_db`` marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED
when the worker finishes; a worker killed in between leaves it RUNNING for ever. Every
task of the register is safe to run again: it takes ids, writes in one transaction (a
killed run wrote nothing) and computes its result from the data, never adding to it. So
the orphan is put back in the queue and runs again, and its effect happens once.

A worker's id names its machine and process (``worker_id()``). A RUNNING task whose
worker is on this machine and no longer alive is an orphan; so is one of another
machine's worker that started longer than ``TASK_ORPHAN_AFTER`` seconds ago (default an
hour, far beyond any task of the register). ``manage.py task_worker`` requeues orphans
when it starts (systemd restarts it after a crash) and then every minute.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("dziennik.tasks")

WORKER_PREFIX = "dziennik"


def worker_id() -> str:
    """``dziennik:<host>:<pid>:<random>`` (at most 64 characters)."""
    host = socket.gethostname()[:32]
    return f"{WORKER_PREFIX}:{host}:{os.getpid()}:{get_random_string(8)}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_orphan(task: DBTaskResult, host: str, older_than: datetime.datetime) -> bool:
    last = task.worker_ids[-1] if task.worker_ids else ""
    parts = last.split(":")
    if len(parts) == 4 and parts[0] == WORKER_PREFIX and parts[1] == host:
        return parts[2].isdecimal() and not _process_alive(int(parts[2]))
    return task.started_at is None or task.started_at < older_than


def requeue_orphans() -> list[str]:
    """Put the tasks of dead workers back in the queue; returns their ids."""
    host = socket.gethostname()[:32]
    after = getattr(settings, "TASK_ORPHAN_AFTER", 3600)
    older_than = timezone.now() - datetime.timedelta(seconds=after)
    requeued = []
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).select_for_update(
            skip_locked=True
        )
        for task in running:
            if _is_orphan(task, host, older_than):
                requeued.append(str(task.pk))
                logger.warning(
                    "Task %s (%s) of dead worker %s put back in the queue",
                    task.pk,
                    task.task_path,
                    task.worker_ids[-1] if task.worker_ids else "?",
                )
        if requeued:
            DBTaskResult.objects.filter(pk__in=requeued).update(
                status=TaskResultStatus.READY, started_at=None
            )
    return requeued
