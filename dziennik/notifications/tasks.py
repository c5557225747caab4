"""Background work of the notifications: the outbox's worker run and its sweep.

Both are safe to run twice and at once on several workers: each message is sent in its
own transaction that holds its deliveries' rows (``SKIP LOCKED``), so a second worker
takes other rows, and a killed one leaves its rows queued (``outbox.py``)."""

from __future__ import annotations

from django.core.cache import cache as django_cache
from django.tasks import task

from . import outbox

DELIVER_QUEUED = "notifications:deliver-queued"


@task
def notifications_deliver() -> int:
    """Deliver everything due now; returns how many deliveries were settled."""
    django_cache.delete(DELIVER_QUEUED)
    return outbox.deliver_due().settled


@task
def notifications_sweep() -> int:
    """The periodic safety net (every minute from ``manage.py task_worker``): deliver
    what is due though its queueing was lost, or what waited for quiet hours, the digest
    or a retry; returns how many deliveries were settled."""
    return outbox.deliver_due().settled
