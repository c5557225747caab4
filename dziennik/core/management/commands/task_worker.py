"""``manage.py task_worker``: ``db_worker`` that first puts back the tasks of dead
workers (``core.task_orphans``) and names itself after its machine and process, and
queues the periodic tasks of ``settings.TASK_WORKER_PERIODIC`` every minute (the
notifications' sweep: what waited for quiet hours, the digest or a retry, or whose
queueing was lost)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string
from django_tasks_db.management.commands import db_worker

from dziennik.core.task_orphans import requeue_orphans, worker_id

ORPHAN_CHECK_INTERVAL = 60  # s
PERIODIC_INTERVAL = 60  # s

logger = logging.getLogger("dziennik.tasks")


def queue_periodic(stop: threading.Event, interval: float = PERIODIC_INTERVAL) -> None:
    """Queue each periodic task every ``interval`` seconds until ``stop``. Several workers
    queue them several times: the tasks are safe to run twice."""
    while not stop.wait(interval):
        close_old_connections()
        for path in getattr(settings, "TASK_WORKER_PERIODIC", ()):
            try:
                import_string(path).enqueue()
            except Exception:  # a failed queueing is tried again in a minute
                logger.exception("periodic task %s not queued", path)
        connection.close()


class Worker(db_worker.Worker):
    """Checks for orphans at start and then every ``ORPHAN_CHECK_INTERVAL`` seconds,
    between tasks."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.orphans_checked = 0.0

    def run_task(self, db_task_result) -> None:
        super().run_task(db_task_result)
        if time.monotonic() - self.orphans_checked > ORPHAN_CHECK_INTERVAL:
            self.orphans_checked = time.monotonic()
            requeue_orphans()


class Command(db_worker.Command):
    help = "Run the background worker; tasks of dead workers run again (docs/production.md)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id())

    def handle(self, *args, **options) -> None:
        requeue_orphans()
        db_worker.Worker = Worker
        stop = threading.Event()
        periodic = threading.Thread(target=queue_periodic, args=(stop,), daemon=True)
        periodic.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
