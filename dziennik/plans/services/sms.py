"""The family's *SMS info* switch follows its plan: switched on when an access that
includes SMS info is activated, off when the access ends and nothing else grants it.

The switch is the notifications' ``Preferences.sms_allowed`` (the school office may
also set it); the outbox's channel gate (``channel_gate``) decides from the accesses at
every fan-out anyway, so the switch is what the family and the office see, kept in step
with the purchase. Every change is in the history (``notifications.services.
sms_allowed_set``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from dziennik.core import audit
from dziennik.notifications import events as notification_events
from dziennik.notifications import services as notifications

from .. import entitlements
from ..channel_gate import PlanChannelGate
from ..models import Access


def _family_accounts(student_ids: Iterable[int]) -> set[int]:
    """The accounts told about these students: their own and their guardians' (two
    queries, ``notifications.services.families_of``)."""
    return {
        user_id
        for _name, users in notifications.families_of(set(student_ids)).values()
        for user_id in users
    }


def sms_open(*, actor, school_id: int, accesses: Iterable[Access]) -> int:
    """Switch SMS on for the family accounts of the accesses that include SMS info
    (where it is off); returns how many changed."""
    students = {a.student_id for a in accesses if entitlements.SMS in a.entitlements}
    if not students:
        return 0
    return notifications.sms_allowed_set(
        actor=actor, school_id=school_id, user_ids=_family_accounts(students), allowed=True
    )


def sms_close(*, actor, school_id: int, student_ids: Iterable[int], day: datetime.date) -> int:
    """Switch SMS off for the family accounts of ``student_ids`` that nothing grants SMS
    info on ``day`` (the gate's rule: another child's access keeps a parent's on; a
    school that does not sell SMS info keeps its office's switches); returns how many
    changed."""
    users = _family_accounts(student_ids)
    withheld = PlanChannelGate().withheld(
        school_id=school_id,
        pairs={(user_id, None) for user_id in users},
        channels=frozenset({notification_events.SMS}),
        day=day,
    )
    off = {user_id for user_id, _student, _channel in withheld}
    if not off:
        return 0
    return notifications.sms_allowed_set(
        actor=actor, school_id=school_id, user_ids=off, allowed=False
    )


@transaction.atomic
def accesses_close(*, actor=None, today: datetime.date) -> int:
    """Apply the end of every access whose last day is before ``today`` and whose end was
    not applied yet: the family's SMS goes off where nothing else grants it, and the
    access is marked (``closed_on``, in the history) so it is done once. Safe to run any
    number of times (every minute from the task worker); returns how many accesses."""
    ended = list(
        Access.objects.select_for_update()
        .filter(closed_on__isnull=True, ends__lt=today)
        .select_related("purchase")
        .order_by("pk")
    )
    by_school: dict[int, set[int]] = defaultdict(set)
    for access in ended:
        if entitlements.SMS in access.entitlements:
            by_school[access.purchase.school_id].add(access.student_id)
    for school_id, students in sorted(by_school.items()):
        sms_close(actor=actor, school_id=school_id, student_ids=students, day=today)
    Access.objects.filter(pk__in=[a.pk for a in ended]).update(closed_on=today)
    audit.record_many(
        audit.build_updates(
            actor=actor,
            instances=ended,
            field="closed_on",
            new=today,
            links=lambda access: {
                "school_id": access.purchase.school_id,
                "student_id": access.student_id,
                "object_repr": str(access),
            },
        )
    )
    return len(ended)
