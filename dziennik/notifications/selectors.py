"""Reads of the notifications. A person sees only their own; the school office sees its
school's dead-letter list. Each read is a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone, translation

from dziennik.core.text import polish_sort_key
from dziennik.schools.models import Guardianship, SchoolClass
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import Viewer

from . import channels, events, gates, permissions
from .models import Delivery, Notification, Preferences, PushSubscription
from .sms import encoding
from .sms.address import e164

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


# --- SMS: the school office's page ---------------------------------------------------


@dataclass(frozen=True)
class SmsMonth:
    messages: int  # SMS messages sent (a batch of notifications is one message)
    parts: int  # what the gateway counted: concatenated parts
    delivered: int  # deliveries with a delivery receipt
    failed: int
    withheld: int  # not sent: no longer allowed when due (the family's plan ended)


def sms_month(viewer: Viewer, *, since: datetime.datetime) -> SmsMonth:
    """The school's SMS since ``since`` (the month's start): one query."""
    if not permissions.may_manage(viewer):
        raise Http404
    totals = Delivery.objects.filter(
        school_id=viewer.school_id, channel=events.SMS, due_at__gte=since
    ).aggregate(
        messages=Count("pk", filter=Q(parts__gt=0)),
        parts=Sum("parts", default=0),
        delivered=Count("pk", filter=Q(status=Delivery.Status.DELIVERED)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        withheld=Count("pk", filter=Q(status=Delivery.Status.WITHHELD)),
    )
    return SmsMonth(**totals)


def configured_channels() -> list[str]:
    return channels.names()


def sms_classes(viewer: Viewer):
    """This year's classes of the school, for the SMS page's choice."""
    if not permissions.may_manage(viewer):
        raise Http404
    classes = SchoolClass.objects.filter(school_id=viewer.school_id)
    year = current_school_year(viewer.school_id)
    if year is not None:
        classes = classes.filter(school_year=year)
    return list(classes.only("pk", "name").order_by("level", "name"))


@dataclass(frozen=True)
class SmsParent:
    user_id: int
    name: str
    children: str
    phone: str  # E.164, or "" when there is no mobile number
    allowed: bool
    # the family's plan as a channel gate tells it (``gates.standings``): its name,
    # until when, whether it includes SMS; None where no gate tells (no plans)
    plan: gates.Standing | None = None


def sms_parents(
    viewer: Viewer, school_class_id: int, day: datetime.date | None = None
) -> list[SmsParent]:
    """The parents (with accounts) of a class's students now, their mobile number, their
    SMS switch and their family's plan on ``day`` (today; ``gates.standings``: the plan,
    until when, whether it includes SMS), sorted by name. Three queries whatever their
    number, and the gate's fixed few."""
    if not permissions.may_manage(viewer):
        raise Http404
    if not SchoolClass.objects.filter(pk=school_class_id, school_id=viewer.school_id).exists():
        raise Http404
    links = Guardianship.objects.filter(
        student__enrolments__school_class_id=school_class_id,
        student__enrolments__end_date__isnull=True,
        guardian__user__isnull=False,
        guardian__school_id=viewer.school_id,
    ).values_list(
        "guardian__user_id",
        "guardian__first_name",
        "guardian__last_name",
        "guardian__phone",
        "student__first_name",
    )
    people: dict[int, dict] = {}
    for user_id, first, last, phone, child in links:
        person = people.setdefault(
            user_id, {"name": f"{last} {first}", "phone": e164(phone), "children": []}
        )
        if child not in person["children"]:
            person["children"].append(child)
    allowed = set(
        Preferences.objects.filter(user_id__in=list(people), sms_allowed=True).values_list(
            "user_id", flat=True
        )
    )
    plans = gates.standings(
        school_id=viewer.school_id,
        user_ids=people,
        channel=events.SMS,
        day=day or timezone.localdate(),
    )
    rows = [
        SmsParent(
            user_id=pk,
            name=person["name"],
            children=", ".join(person["children"]),
            phone=person["phone"],
            allowed=pk in allowed,
            plan=plans.get(pk),
        )
        for pk, person in people.items()
    ]
    return sorted(rows, key=lambda row: (polish_sort_key(row.name), row.user_id))


@dataclass(frozen=True)
class SmsSample:
    text: str
    coding: str  # "GSM-7" or "UCS-2"
    parts: int


def sms_sample(*, cheap: bool) -> SmsSample:
    """A typical SMS as the school's choice writes it (the SMS page shows its letters,
    encoding and parts): a new absence, in the school's language."""
    with translation.override(settings.LANGUAGE_CODE):
        text = "Dziennik: " + events.render_short(
            events.ABSENCE_UNEXCUSED, {"child": "Zofia", "subject": "Matematyka"}
        )
    prepared = encoding.prepare(text, cheap=cheap)
    shown = encoding.transliterate(text) if cheap else text
    return SmsSample(text=shown, coding=prepared.name, parts=prepared.count)


def push_devices(viewer: Viewer) -> list[PushSubscription]:
    """The viewer's own devices subscribed to push, newest first; one query."""
    if viewer.user_id is None:
        return []
    return list(
        PushSubscription.objects.filter(user_id=viewer.user_id)
        .order_by("-created_at", "-pk")
        .only("pk", "label", "created_at", "last_success_at")
    )


def withheld_channels(viewer: Viewer) -> dict[str, gates.Withheld]:
    """The configured channels a registered gate withholds from the viewer today (their
    access plan lacks SMS info or push), with the reason and where to get it."""
    if viewer.user_id is None:
        return {}
    found = gates.explain(
        user_id=viewer.user_id, school_id=viewer.school_id, day=timezone.localdate()
    )
    configured = set(channels.names())
    return {channel: item for channel, item in found.items() if channel in configured}
