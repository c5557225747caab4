"""Delivering a message: the one place where its recipients are known to have it.

``delivered`` is called for the people a message reaches, once: by ``services`` for the
people it was addressed to, by ``message_fan_out`` (in the background) for the members
of its groups. Telling people of a new message (e-mail, SMS, push) belongs there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.models import User
from dziennik.core import cache
from dziennik.notifications import events
from dziennik.notifications import services as notifications

from . import recipients
from .models import Delivery, Message
from .scopes import mailbox_scope

FAN_OUT_BATCH = 1000


def moved(user_ids: Iterable[int]) -> None:
    """The mailboxes of these users changed (their counters and panels move on)."""
    cache.bump(*(mailbox_scope(pk) for pk in set(user_ids)))


def delivered(message: Message, recipient_ids: Sequence[int]) -> None:
    """The recipients now have the message in their inbox, and are told of it (in the
    caller's transaction: a message that rolls back tells nobody). The notification
    names the sender, never the message's subject or text."""
    moved(recipient_ids)
    if not recipient_ids:
        return
    notifications.notify(
        event=events.MESSAGE,
        school_id=message.school_id,
        recipient_ids=recipient_ids,
        key=f"message:{message.pk}",
        params={"sender": str(message.sender)[:100]},
        url=reverse("messaging:thread", args=[message.thread_id]),
    )


def message_fan_out(*, message_id: int) -> int:
    """Deliver a group message to every member of its groups (the background half of
    ``services.message_send``). Safe to run twice: a delivered message is left alone,
    and the table takes one row per recipient. A message withdrawn before it went out
    goes to nobody. Returns how many were delivered now."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id)
            .only(
                "pk",
                "school_id",
                "thread_id",
                "sender_id",
                "groups",
                "fanned_out_at",
                "withdrawn_at",
            )
            .first()
        )
        if message is None or message.fanned_out_at is not None or message.withdrawn_at:
            return 0
        members = User.objects.filter(
            recipients.groups_members(message.school_id, message.groups)
        ).exclude(pk=message.sender_id)
        # Those it was addressed to by name have it already.
        members = members.exclude(
            pk__in=Delivery.objects.filter(message_id=message.pk).values("recipient_id")
        )
        ids = sorted(set(members.values_list("pk", flat=True)))
        for start in range(0, len(ids), FAN_OUT_BATCH):
            batch = ids[start : start + FAN_OUT_BATCH]
            Delivery.objects.bulk_create(
                [Delivery(message=message, recipient_id=pk) for pk in batch],
                ignore_conflicts=True,
            )
        message.fanned_out_at = timezone.now()
        message.save(update_fields=["fanned_out_at"])
        delivered(message, ids)
        moved([message.sender_id])
    return len(ids)
