"""Writes of the notifications: the outbox's ``notify`` (called by producing services
inside their transaction), preferences, reading, and the dead-letter list's retry.

A producing service adds one line, inside its own transaction::

    notifications.notify_family(event=events.GRADE_NEW, student_id=grade.student_id,
                                key=f"grade:{grade.pk}", params={...}, url=...)

The notification rows and their deliveries commit or roll back with the change; after
the commit one task is queued for the workers (``tasks.notifications_deliver``), and the
worker's periodic sweep picks up anything whose queueing was lost.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache as django_cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit
from dziennik.schools.models import Guardianship, Student
from dziennik.schools.viewer import get_viewer

from . import channels, events, gates, permissions, push, receipts, timing
from .models import Delivery, Notification, Preferences, PushSubscription, SmsSettings
from .sms.address import phones_of
from .tasks import DELIVER_QUEUED, notifications_deliver

# How long a notification is worth delivering, unless the producer says otherwise.
DEFAULT_LIFETIME = datetime.timedelta(days=7)
DELIVER_QUEUED_TIMEOUT = 60  # s: a lost key costs one extra run of the worker
# The channels a registered gate may withhold (``gates``): in-app and e-mail never are.
GATED_CHANNELS = gates.GATED_CHANNELS


class NotInTransaction(RuntimeError):
    """``notify`` outside a transaction could store a notification of a change that
    then rolls back, or lose one of a change that commits."""


def _preferences(user_ids: Iterable[int]) -> dict[int, Preferences]:
    stored = {p.user_id: p for p in Preferences.objects.filter(user_id__in=user_ids)}
    return {pk: stored.get(pk) or Preferences(user_id=pk) for pk in user_ids}


def channels_for(
    prefs: Preferences,
    event: str,
    *,
    has_email: bool,
    has_phone: bool = True,
    has_push: bool = False,
) -> list[str]:
    """The channels a notification of ``event`` goes to for this person: their choice
    (or the event's default) among the channels the register can send on
    (``settings.NOTIFICATION_CHANNELS``), e-mail only to an address, SMS only to a mobile
    number where the school allows it, push only to a person with a subscribed device.
    In-app always: the centre is the person's record of everything sent to them."""
    chosen = prefs.channels.get(event)
    if chosen is None:
        chosen = events.EVENTS[event].default_channels
    usable = set(channels.names()) | {events.IN_APP}
    if not has_email:
        usable.discard(events.EMAIL)
    if not has_push:
        usable.discard(events.PUSH)
    if not prefs.sms_allowed or not has_phone:
        usable.discard(events.SMS)
    return [events.IN_APP] + [
        name
        for name in events.ALL_CHANNELS
        if name != events.IN_APP and name in chosen and name in usable
    ]


@dataclass(frozen=True)
class About:
    """One event about one student, told to the student and their family
    (``family_of``). ``params`` gain ``child`` (the student's first name)."""

    student_id: int
    key: str
    params: dict = field(default_factory=dict)
    url: str = ""


def notify(
    *,
    event: str,
    school_id: int,
    recipient_ids: Iterable[int],
    key: str,
    params: dict | None = None,
    url: str = "",
    urgent: bool | None = None,
    expires_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Write the notifications of ``event`` for ``recipient_ids`` and their deliveries,
    in the caller's transaction; returns how many notifications are new.

    ``key`` identifies the event (``grade:17``): notifying the same key to the same person
    again stores nothing (at most once per person, event and channel). A fixed number of
    queries whatever the number of recipients."""
    rows = [(pk, key, params or {}, url, None) for pk in set(recipient_ids)]
    return _emit(event, school_id, rows, urgent=urgent, expires_at=expires_at, now=now)


def notify_family(
    *, event: str, school_id: int, student_id: int, key: str, params: dict | None = None,
    url: str = "", **options,
) -> int:  # fmt: skip
    """``notify`` the student and their family about one event."""
    return notify_families(
        event=event,
        school_id=school_id,
        items=[About(student_id, key, params or {}, url)],
        **options,
    )


def notify_families(
    *,
    event: str,
    school_id: int,
    items: Iterable[About],
    urgent: bool | None = None,
    expires_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """``notify`` the families of many students at once (a classification sheet, the
    day's absences): a fixed number of queries whatever their number."""
    items = list(items)
    families = families_of({item.student_id for item in items})
    rows = []
    for item in items:
        first_name, recipients = families.get(item.student_id, ("", []))
        params = {"child": first_name, **item.params}
        rows += [(pk, item.key, params, item.url, item.student_id) for pk in recipients]
    return _emit(event, school_id, rows, urgent=urgent, expires_at=expires_at, now=now)


def families_of(student_ids: Iterable[int]) -> dict[int, tuple[str, list[int]]]:
    """For each student: their first name and the accounts told about them – their own
    and their guardians' with full access (none limited by a court, none of an adult
    student who restricts their parents' view). Two queries."""
    students = {
        pk: (first_name, [user_id] if user_id else [])
        for pk, first_name, user_id in Student.objects.filter(pk__in=student_ids).values_list(
            "pk", "first_name", "user_id"
        )
    }
    for student_id, user_id in Guardianship.objects.filter(
        student_id__in=list(students),
        access=Guardianship.Access.FULL,
        student__restricts_parent_view=False,
        guardian__user__isnull=False,
    ).values_list("student_id", "guardian__user_id"):
        students[student_id][1].append(user_id)
    return students


def _deliveries(event, school_id, created, emails, *, urgent, now) -> list[Delivery]:
    """One delivery per channel of each new notification (``created``: its id, its
    recipient's and the student it is about, or None): the person's preferences, SMS only
    to a mobile number (guardians': one query more where SMS is configured), push only
    to a subscribed device (one query more where push is configured), and neither where
    a registered channel gate withholds it (``gates``: the family's access plan; a fixed
    number of queries, asked once for the whole fan-out)."""
    prefs = _preferences({recipient_id for _pk, recipient_id, _student in created})
    sms = events.SMS in channels.names()
    phones = phones_of({pk for pk, person in prefs.items() if person.sms_allowed}) if sms else {}
    pushed = _with_push({recipient_id for _pk, recipient_id, _student in created})
    chosen = []
    for notification_id, recipient_id, student_id in created:
        person = prefs[recipient_id]
        names = channels_for(
            person,
            event,
            has_email=bool(emails[recipient_id]),
            has_phone=recipient_id in phones,
            has_push=recipient_id in pushed,
        )
        chosen.append((notification_id, recipient_id, student_id, names))
    withheld = gates.withheld(
        school_id=school_id,
        pairs={(r, s) for _n, r, s, names in chosen if set(names) & GATED_CHANNELS},
        channels={name for *_ids, names in chosen for name in names} & GATED_CHANNELS,
        day=timezone.localdate(now),
    )
    deliveries = []
    for notification_id, recipient_id, student_id, names in chosen:
        person = prefs[recipient_id]
        for channel in names:
            if (recipient_id, student_id, channel) in withheld:
                continue
            due_at, held = timing.due(channel, person, urgent=urgent, now=now)
            in_app = channel == events.IN_APP
            deliveries.append(
                Delivery(
                    notification_id=notification_id,
                    school_id=school_id,
                    recipient_id=recipient_id,
                    channel=channel,
                    status=Delivery.Status.DELIVERED if in_app else Delivery.Status.QUEUED,
                    due_at=due_at,
                    held=held,
                    delivered_at=now if in_app else None,
                )
            )
    return deliveries


def _emit(event, school_id, rows, *, urgent, expires_at, now) -> int:
    """Store ``rows`` (recipient id, key, params, url, student id or None) not stored
    yet, and their deliveries. Six queries whatever the number of rows (one more with SMS
    configured, one more with push, and a channel gate's fixed few where it withholds
    SMS or push: ``gates``)."""
    if event not in events.EVENTS:
        raise ValueError(f"unknown event {event!r}")
    if transaction.get_autocommit():
        raise NotInTransaction("notify() must run inside the producing service's transaction")
    if not rows:
        return 0
    now = now or timezone.now()
    urgent = events.EVENTS[event].urgent if urgent is None else urgent
    recipient_ids = {row[0] for row in rows}
    keys = {row[1][:200] for row in rows}
    emails = dict(
        User.objects.filter(pk__in=recipient_ids, is_active=True).values_list("pk", "email")
    )
    stored = set(
        Notification.objects.filter(recipient_id__in=emails, key__in=keys).values_list(
            "recipient_id", "key"
        )
    )
    fresh: dict[tuple[int, str], Notification] = {}
    about: dict[tuple[int, str], int | None] = {}
    for recipient_id, key, params, url, student_id in rows:
        pair = (recipient_id, key[:200])
        if recipient_id in emails and pair not in stored and pair not in fresh:
            about[pair] = student_id
            fresh[pair] = Notification(
                school_id=school_id,
                recipient_id=recipient_id,
                event=event,
                params=params,
                url=url,
                key=pair[1],
                about=student_id,
                urgent=urgent,
                created_at=now,
                expires_at=expires_at or now + DEFAULT_LIFETIME,
            )
    if not fresh:
        return 0
    # a concurrent notify of the same key wins quietly (the unique constraint)
    Notification.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    created = [
        (pk, recipient_id, about[(recipient_id, key)])
        for pk, recipient_id, key in Notification.objects.filter(
            recipient_id__in={pair[0] for pair in fresh},
            key__in={pair[1] for pair in fresh},
            created_at=now,
        ).values_list("pk", "recipient_id", "key")
        if (recipient_id, key) in fresh
    ]
    deliveries = _deliveries(event, school_id, created, emails, urgent=urgent, now=now)
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    if any(d.status == Delivery.Status.QUEUED for d in deliveries):
        transaction.on_commit(deliver_soon)
    return len(created)


def _with_push(user_ids: set[int]) -> set[int]:
    """Who of ``user_ids`` has a device subscribed to push; no query without push."""
    if events.PUSH not in channels.names():
        return set()
    return set(
        PushSubscription.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )


def deliver_soon() -> None:
    """Queue one run of the worker, unless one is queued already (after the commit)."""
    if django_cache.add(DELIVER_QUEUED, 1, DELIVER_QUEUED_TIMEOUT):
        notifications_deliver.enqueue()


# --- the person's side ---------------------------------------------------------------


class PushRefused(ValidationError):
    """A subscription the register will not send to (not a known push service, keys
    that are not keys)."""


def _b64url_length(value: str) -> int:
    """The length of a URL-safe base64 value in bytes, or -1 when it is not one."""
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return -1


def push_subscribe(
    *, actor: User, endpoint: str, p256dh: str, auth: str, label: str = ""
) -> PushSubscription:
    """Remember the actor's browser (``PushSubscription``) for Web Push; the same
    browser again updates its keys, and a browser another person subscribed before is
    the actor's from now on. Recorded in the history."""
    endpoint, p256dh, auth = endpoint.strip(), p256dh.strip(), auth.strip()
    if len(endpoint) > 1000 or not push.endpoint_allowed(endpoint):
        raise PushRefused(_("This browser's push service is not one the register uses."))
    if _b64url_length(p256dh) != 65 or _b64url_length(auth) != 16:
        raise PushRefused(_("The browser sent keys the register cannot use."))
    with transaction.atomic():
        row = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        if row is None:
            row = PushSubscription.objects.create(
                user=actor,
                endpoint=endpoint,
                p256dh=p256dh,
                auth=auth,
                label=label[:100],
                created_at=timezone.now(),
            )
            _record_device(actor, row, "create", {"user": [None, actor.pk]})
            return row
        before = row.user_id
        row.user, row.p256dh, row.auth, row.label = actor, p256dh, auth, label[:100]
        row.save(update_fields=["user", "p256dh", "auth", "label"])
        if before != actor.pk:
            _record_device(actor, row, "update", {"user": [before, actor.pk]})
    return row


def _record_device(actor: User, row: PushSubscription, action: str, changes: dict) -> None:
    """The history names the device, never its address or keys (secrets of the browser)."""
    changes = {**changes, "label": [None, row.label] if action != "delete" else [row.label, None]}
    audit.record_many(
        [
            audit.build_entry(
                actor=actor,
                instance=row,
                action=action,
                changes=changes,
                school_id=actor.school_id,
                object_repr=row.label or str(_("device")),
            )
        ]
    )


def push_unsubscribe(
    *, actor: User, endpoint: str | None = None, subscription_id: int | None = None
) -> None:
    """Forget one of the actor's own devices (by its address or its id); another
    person's, or a missing one, is the same 404. Recorded in the history."""
    rows = PushSubscription.objects.filter(user=actor)
    if endpoint is not None:
        rows = rows.filter(endpoint=endpoint.strip())
    elif subscription_id is not None:
        rows = rows.filter(pk=subscription_id)
    else:
        raise Http404
    with transaction.atomic():
        row = rows.select_for_update().first()
        if row is None:
            raise Http404
        _record_device(actor, row, "delete", {"user": [actor.pk, None]})
        row.delete()


def preferences_of(user: User) -> Preferences:
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


PREFERENCE_FIELDS = (
    "channels",
    "quiet_from",
    "quiet_until",
    "quiet_email",
    "digest",
    "digest_at",
    "details",
)


def preferences_update(*, actor: User, values: dict, version: int | None = None) -> Preferences:
    """Save the actor's own choices (``PREFERENCE_FIELDS``). ``sms_allowed`` is not
    theirs to change. A save based on an older version is refused."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown settings: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    channels = values.get("channels", {})
    for event, chosen in channels.items():
        if event not in events.EVENTS or not set(chosen) <= set(events.ALL_CHANNELS):
            raise ValidationError(_("Unknown event or channel."))
    with transaction.atomic():
        prefs, _created = Preferences.objects.select_for_update().get_or_create(user=actor)
        if version is not None and prefs.version != version:
            raise ValidationError(
                _(
                    "Your settings were changed meanwhile (e.g. in another window); "
                    "here they are as saved now."
                )
            )
        before = audit.snapshot(prefs, fields=PREFERENCE_FIELDS)
        for name, value in values.items():
            setattr(prefs, name, value)
        prefs.version += 1
        prefs.save()
        audit.record_update(actor=actor, instance=prefs, before=before, school_id=actor.school_id)
    return prefs


def sms_switch(*, actor: User, user_id: int, allowed: bool) -> Preferences:
    """The school office turns *SMS info* on or off for an account of its school (until
    access plans decide it)."""
    viewer = get_viewer(actor)
    if not permissions.may_manage(viewer):
        raise Http404
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, school_id=viewer.school_id).first()
        if user is None:
            raise Http404
        prefs, _created = Preferences.objects.select_for_update().get_or_create(user=user)
        before = audit.snapshot(prefs, fields=["sms_allowed"])
        prefs.sms_allowed = allowed
        prefs.save(update_fields=["sms_allowed"])
        audit.record_update(actor=actor, instance=prefs, before=before, school_id=viewer.school_id)
    return prefs


def notifications_mark_read(*, actor: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all unread when ``notification_ids`` is
    None); returns how many. Not history: reading changes nothing in the register."""
    rows = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


def delivery_retry(
    *, actor: User, delivery_ids: Iterable[int], now: datetime.datetime | None = None
) -> int:
    """Put failed deliveries of the actor's school back in the queue (the dead-letter
    list's "retry"); returns how many. Recorded in the history."""
    viewer = get_viewer(actor)
    if not permissions.may_manage(viewer):
        raise Http404
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update()
            .filter(
                Q(pk__in=list(delivery_ids)),
                school_id=viewer.school_id,
                status=Delivery.Status.FAILED,
            )
            .order_by("pk")
        )
        entries = []
        for row in rows:
            entries.append(
                audit.build_entry(
                    actor=actor,
                    instance=row,
                    action="update",
                    changes={
                        "status": [row.status, Delivery.Status.QUEUED],
                        "attempts": [row.attempts, 0],
                    },
                    school_id=viewer.school_id,
                    object_repr=str(row),
                )
            )
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=Delivery.Status.QUEUED, attempts=0, due_at=now, held=""
        )
        audit.record_many(entries)
        if rows:
            transaction.on_commit(deliver_soon)
    return len(rows)


# --- SMS: receipts and the school's choices --------------------------------------------


def delivery_receipt(
    *, receipt_id: str, delivered: bool, error: str = "", channel: str = events.SMS,
    now: datetime.datetime | None = None,
) -> int:  # fmt: skip
    """A gateway's delivery receipt: the deliveries it sent as ``receipt_id`` become
    ``delivered`` (or ``failed`` with ``error``). Idempotent; returns how many changed.
    Not history: the gateway reports, nobody decides."""
    receipt = receipts.Receipt(receipt_id=receipt_id, delivered=delivered, error=error)
    return receipts.apply([receipt], channel=channel, now=now)


def sms_settings_of(school_id: int) -> SmsSettings:
    return SmsSettings.objects.filter(school_id=school_id).first() or SmsSettings(
        school_id=school_id
    )


def sms_settings_update(*, actor: User, cheap: bool, version: int | None = None) -> SmsSettings:
    """The school office chooses how SMS are written: Polish letters (UCS-2, 70
    characters a message) or cheaper, transliterated to GSM-7 (160). Recorded in the
    history; a save based on an older version is refused."""
    viewer = get_viewer(actor)
    if not permissions.may_manage(viewer):
        raise Http404
    with transaction.atomic():
        row, _created = SmsSettings.objects.select_for_update().get_or_create(
            school_id=viewer.school_id
        )
        if version is not None and row.version != version:
            raise ValidationError(
                _("The SMS settings were changed meanwhile; here they are as saved now.")
            )
        before = audit.snapshot(row, fields=["cheap"])
        row.cheap = cheap
        row.version += 1
        row.save()
        audit.record_update(actor=actor, instance=row, before=before, school_id=viewer.school_id)
    return row


def sms_switch_many(*, actor: User, user_ids: Iterable[int], allowed: bool) -> int:
    """``sms_switch`` for several accounts of the school at once (the SMS page's bulk
    on/off); returns how many changed. Each change is recorded in the history."""
    viewer = get_viewer(actor)
    if not permissions.may_manage(viewer):
        raise Http404
    return sms_allowed_set(
        actor=actor, school_id=viewer.school_id, user_ids=user_ids, allowed=allowed
    )


def sms_allowed_set(
    *, actor: User | None, school_id: int, user_ids: Iterable[int], allowed: bool
) -> int:
    """Set the *SMS info* switch of the school's accounts ``user_ids``; returns how many
    changed. For a service that has already decided who gets SMS – the office's
    ``sms_switch_many``, the access plans when a family's plan with SMS info begins or
    ends (``actor`` None: the system) – so it checks no permission of its own. Each
    change is recorded in the history."""
    with transaction.atomic():
        users = list(
            User.objects.filter(pk__in=list(user_ids), school_id=school_id).values_list(
                "pk", flat=True
            )
        )
        if not users:
            return 0
        existing = {
            p.user_id: p for p in Preferences.objects.select_for_update().filter(user_id__in=users)
        }
        missing = [Preferences(user_id=pk) for pk in users if pk not in existing]
        Preferences.objects.bulk_create(missing, ignore_conflicts=True)
        rows = list(
            Preferences.objects.select_for_update().filter(user_id__in=users).order_by("pk")
        )
        changed = [row for row in rows if row.sms_allowed != allowed]
        entries = audit.build_updates(
            actor=actor,
            instances=changed,
            field="sms_allowed",
            new=allowed,
            school_id=school_id,
            links=lambda row: {"object_repr": str(row.user_id)},
        )
        Preferences.objects.filter(pk__in=[row.pk for row in changed]).update(sms_allowed=allowed)
        audit.record_many(entries)
    return len(changed)
