"""Background work of the grades: the recompute of a school's stored values and averages
after its grading rules changed.

Tasks take ids, load what they need, call a service and are safe to run twice.
"""

from __future__ import annotations

from django.core.cache import cache as django_cache
from django.db import transaction
from django.tasks import task

from . import services

# While a recompute of a school waits in the queue, further rule changes queue nothing:
# this key says one is on its way. The task deletes it before it reads the rules and the
# grades, so a change that commits after that read queues the next recompute.
RECOMPUTE_QUEUED = "grades:recompute-queued:{school_id}"
RECOMPUTE_QUEUED_TIMEOUT = 300  # s: a lost key costs at most one extra recompute


@task
def grades_recompute_school(school_id: int) -> None:
    """Re-value the school's grades under its rules and rebuild its stored averages
    (``services.recompute_school``), all in one transaction: readers see the old averages
    or the new ones, never a half-rebuilt school."""
    django_cache.delete(RECOMPUTE_QUEUED.format(school_id=school_id))
    with transaction.atomic():
        services.recompute_school(school_id)


def recompute_school_later(school_id: int) -> None:
    """Queue the school's recompute once this transaction commits (at most one waiting)."""

    def enqueue() -> None:
        key = RECOMPUTE_QUEUED.format(school_id=school_id)
        if django_cache.add(key, 1, RECOMPUTE_QUEUED_TIMEOUT):
            grades_recompute_school.enqueue(school_id)

    transaction.on_commit(enqueue)
