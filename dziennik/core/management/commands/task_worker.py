"""``manage.py task_worker``: ``db_worker`` that first puts back the tasks of dead
workers (``core.task_orphans``) and names itself after its machine and process."""

from __future__ import annotations

import time

from django_tasks_db.management.commands import db_worker

from dziennik.core.task_orphans import requeue_orphans, worker_id

ORPHAN_CHECK_INTERVAL = 60  # s


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
        super().handle(*args, **options)
