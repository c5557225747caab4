"""Delivery receipts: a gateway's later word on a message it accepted.

The SMPP channel reads ``deliver_sm`` receipts on its own bind while it sends (and
``manage.py sms_receipts`` on a receiver bind); the HTTP gateway calls back
(``views.sms_callback``). Each gives the gateway's message id, which the outbox stored
as the deliveries' ``receipt_id`` when the gateway accepted the message, and whether it
reached the phone. ``apply`` records it: idempotent (a receipt repeated by the gateway
changes nothing), and only forward (``sent`` → ``delivered`` or ``failed``; a receipt
never takes back a delivery already settled)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Delivery


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    delivered: bool
    error: str = ""  # why not, in the gateway's words ("UNDELIV err:001")


def apply(receipts: list[Receipt], *, channel: str, now: datetime.datetime | None = None) -> int:
    """Record ``receipts`` of ``channel``; returns how many deliveries changed. Two
    queries per receipt state, whatever their number."""
    now = now or timezone.now()
    changed = 0
    delivered = {r.receipt_id for r in receipts if r.delivered and r.receipt_id}
    failed = [r for r in receipts if not r.delivered and r.receipt_id]
    with transaction.atomic():
        waiting = Delivery.objects.filter(channel=channel, status=Delivery.Status.SENT)
        if delivered:
            changed += waiting.filter(receipt_id__in=delivered).update(
                status=Delivery.Status.DELIVERED, delivered_at=now
            )
        for receipt in failed:
            changed += waiting.filter(receipt_id=receipt.receipt_id).update(
                status=Delivery.Status.FAILED, last_error=receipt.error[:500]
            )
    return changed


def known(receipt_ids: set[str], *, channel: str) -> set[str]:
    """Which of ``receipt_ids`` the outbox has recorded (a receipt may come before the
    commit of its message: the receiver keeps the others and tries them again)."""
    return set(
        Delivery.objects.filter(channel=channel, receipt_id__in=receipt_ids).values_list(
            "receipt_id", flat=True
        )
    )
