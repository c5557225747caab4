"""Background work of messages: the fan-out of a message to a large group."""

from __future__ import annotations

from django.tasks import task

from . import fanout


@task
def message_fan_out(message_id: int) -> int:
    """Deliver the group message ``message_id`` to its groups' members (safe to run
    twice); returns how many got it now."""
    return fanout.message_fan_out(message_id=message_id)
