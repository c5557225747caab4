"""Reads of the notifications. A person sees only their own; the school office sees its
school's dead-letter list. Each read is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from dziennik.schools.viewer import Viewer

from . import events, permissions
from .models import Delivery, Notification, PushSubscription

CENTRE_SIZE = 50
DEAD_LETTERS_SIZE = 200


def unread_count(viewer: Viewer) -> int:
    """One query (a partial index: the person's unread rows)."""
    if viewer.user_id is None:
        return 0
    return Notification.objects.filter(recipient_id=viewer.user_id, read_at__isnull=True).count()


@dataclass(frozen=True)
class Row:
    pk: int
    text: str
    detail: str
    url: str
    created_at: object
    unread: bool
    urgent: bool


def centre(viewer: Viewer, size: int = CENTRE_SIZE) -> list[Row]:
    """The viewer's latest notifications, in the active language. In the register the
    details are shown: the page is the person's own, behind their login. One query."""
    if viewer.user_id is None:
        return []
    rows = Notification.objects.filter(recipient_id=viewer.user_id).order_by("-created_at", "-pk")[
        :size
    ]
    return [
        Row(
            pk=n.pk,
            text=events.render_short(n.event, n.params),
            detail=events.render_detail(n.event, n.params),
            url=n.url,
            created_at=n.created_at,
            unread=n.read_at is None,
            urgent=n.urgent,
        )
        for n in rows.only("pk", "event", "params", "url", "created_at", "read_at", "urgent")
    ]


def own_notification(viewer: Viewer, notification_id: int) -> Notification:
    """The viewer's notification; the same 404 for another person's and a missing one."""
    found = Notification.objects.filter(pk=notification_id, recipient_id=viewer.user_id).first()
    if viewer.user_id is None or found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class DeadLetter:
    pk: int
    recipient: str
    channel: str
    event: str
    attempts: int
    error: str
    due_at: object


def dead_letters(viewer: Viewer, size: int = DEAD_LETTERS_SIZE) -> list[DeadLetter]:
    """The school's deliveries that failed for good, newest first (school office only).
    One query whatever their number."""
    if not permissions.may_manage(viewer):
        raise Http404
    rows = (
        Delivery.objects.filter(school_id=viewer.school_id, status=Delivery.Status.FAILED)
        .select_related("recipient", "notification")
        .only(
            "pk",
            "channel",
            "attempts",
            "last_error",
            "due_at",
            "recipient__first_name",
            "recipient__last_name",
            "recipient__username",
            "notification__event",
        )
        .order_by("-due_at", "-pk")[:size]
    )
    labels = {code: event.label for code, event in events.EVENTS.items()}
    return [
        DeadLetter(
            pk=row.pk,
            recipient=str(row.recipient),
            channel=row.get_channel_display(),
            event=str(labels.get(row.notification.event, row.notification.event)),
            attempts=row.attempts,
            error=row.last_error,
            due_at=row.due_at,
        )
        for row in rows
    ]


def push_devices(viewer: Viewer) -> list[PushSubscription]:
    """The viewer's own devices subscribed to push, newest first; one query."""
    if viewer.user_id is None:
        return []
    return list(
        PushSubscription.objects.filter(user_id=viewer.user_id)
        .order_by("-created_at", "-pk")
        .only("pk", "label", "created_at", "last_success_at")
    )
