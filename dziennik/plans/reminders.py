"""Reminders before a paid plan ends (``tasks.plans_expiry_remind``): 30 and 7 days
before the last day of a child's access, told to the child and their family through the
notifications' outbox, with a link to the plan page.

Safe to run any number of times (every minute from ``manage.py task_worker``): each
notification's key names the access and the reminder (``plan-expiry-30:<access id>``),
and the outbox stores a key once per person. A run that missed a day still reminds: an
access ending within 30 days (7 days) gets its reminder once. An access already renewed
(another access of the same plan starts after it) is not reminded of."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from dziennik.notifications import events as notification_events
from dziennik.notifications import services as notifications
from dziennik.notifications.services import About

from .models import Access, Purchase

REMINDERS = (30, 7)  # days before the end


def _key(access: Access, today: datetime.date) -> str | None:
    left = (access.ends - today).days
    if left < 0:
        return None
    days = min(d for d in REMINDERS if left <= d) if left <= max(REMINDERS) else None
    return None if days is None else f"plan-expiry-{days}:{access.pk}"


def remind(*, today: datetime.date) -> int:
    """Queue the reminders due on ``today``; returns how many notifications are new."""
    renewed = Access.objects.filter(
        student_id=OuterRef("student_id"), plan_id=OuterRef("plan_id"), starts__gt=OuterRef("ends")
    )
    due = (
        Access.objects.filter(
            plan__isnull=False,
            ends__gte=today,
            ends__lte=today + datetime.timedelta(days=max(REMINDERS)),
        )
        .exclude(purchase__status=Purchase.Status.REFUNDED)
        .exclude(Exists(renewed))
        .select_related("purchase")
        .order_by("pk")
    )
    by_school: dict[int, list[About]] = {}
    url = reverse("plans:mine")
    for access in due:
        key = _key(access, today)
        if key is not None:
            by_school.setdefault(access.purchase.school_id, []).append(
                About(access.student_id, key, {"day": f"{access.ends:%d.%m.%Y}"}, url)
            )
    created = 0
    with transaction.atomic():
        for school_id, items in sorted(by_school.items()):
            created += notifications.notify_families(
                event=notification_events.PLAN_EXPIRES, school_id=school_id, items=items
            )
    return created
