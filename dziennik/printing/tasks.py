"""Background work of printing: a print job, and the deletion of old printouts.

Tasks take ids, call a service and are safe to run twice.
"""

from __future__ import annotations

from django.tasks import task

from . import services


@task
def print_job_run(job_id: int) -> str:
    """Lay out a queued printout into the private storage, with its progress."""
    return services.job_run(job_id=job_id)


@task
def print_jobs_purge() -> int:
    """Delete the printouts kept longer than ``services.KEPT_FOR`` (queued every minute
    by ``manage.py task_worker``)."""
    return services.jobs_purge()
