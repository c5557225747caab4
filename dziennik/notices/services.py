"""Writes of the announcement board: publish, edit, withdraw, mark as read."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit, cache
from dziennik.core.text import field_choice, field_text
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import get_viewer

from . import permissions, selectors
from .models import Announcement, AnnouncementRead
from .scopes import board_scope, reader_scope

# The longest display period: a school year.
MAX_PERIOD = datetime.timedelta(days=366)


def _checked(
    *,
    school_id: int,
    title: str,
    body: str,
    audience: str,
    class_ids: Iterable[int],
    shown_from: datetime.date,
    shown_until: datetime.date,
) -> tuple[dict, list[int]]:
    """The announcement's values cleaned and checked, or ``ValidationError`` naming
    every bad field."""
    errors: dict[str, list] = {}
    values: dict = {}
    for name, value, multiline in (("title", title, False), ("body", body, True)):
        try:
            values[name] = field_text(Announcement, name, value, multiline=multiline)
        except ValidationError as exc:
            errors.update(exc.error_dict)
        else:
            if not values[name]:
                errors[name] = [ValidationError(_("This field is required."))]
    try:
        values["audience"] = field_choice(Announcement, "audience", audience)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    ids = sorted(set(class_ids))
    found = set(
        SchoolClass.objects.filter(school_id=school_id, pk__in=ids).values_list("pk", flat=True)
    )
    if found != set(ids):
        errors["classes"] = [ValidationError(_("Choose classes of your school."))]
    if shown_until < shown_from:
        errors["shown_until"] = [ValidationError(_("The end is before the start."))]
    elif shown_until - shown_from > MAX_PERIOD:
        errors["shown_until"] = [ValidationError(_("An announcement is shown for a year at most."))]
    if errors:
        raise ValidationError(errors)
    values.update(shown_from=shown_from, shown_until=shown_until, for_whole_school=not ids)
    return values, ids


def _notify_readers(announcement: Announcement) -> None:
    """Tell the announcement's readers (once: the outbox's key, and ``notified_at``)."""
    notifications.notify(
        event=events.ANNOUNCEMENT,
        school_id=announcement.school_id,
        recipient_ids=selectors.readers(announcement),
        key=f"announcement:{announcement.pk}",
        params={"title": announcement.title[:100]},
        url=reverse("notices:board"),
    )
    announcement.notified_at = timezone.now()
    announcement.save(update_fields=["notified_at"])


def announcements_shown_today_notify(*, today: datetime.date | None = None) -> int:
    """Notify the readers of the announcements scheduled for a later day once that day
    has come (the system's work, run by the task ``notices_shown_today``: no actor).
    Rows are locked and skipped by a second worker, so each is told once. Answers how
    many announcements were told."""
    today = today or timezone.localdate()
    told = 0
    with transaction.atomic():
        due = (
            Announcement.objects.select_for_update(skip_locked=True)
            .filter(
                notified_at__isnull=True,
                withdrawn_at__isnull=True,
                shown_from__lte=today,
                shown_until__gte=today,
            )
            .order_by("pk")
        )
        for announcement in due:
            _notify_readers(announcement)
            told += 1
    return told


def _moved(announcement: Announcement) -> None:
    """Every board and home page of the school that shows announcements moves on."""
    cache.bump(board_scope(announcement.school_id))


@transaction.atomic
def announcement_publish(
    *,
    actor,
    title: str,
    body: str,
    audience: str = Announcement.Audience.EVERYONE,
    class_ids: Iterable[int] = (),
    shown_from: datetime.date,
    shown_until: datetime.date,
) -> Announcement:
    """Publish an announcement of the actor's school (its staff only: ``Http404``
    otherwise). No classes: the whole school."""
    viewer = get_viewer(actor)
    if not permissions.may_publish(viewer):
        raise Http404
    values, ids = _checked(
        school_id=viewer.school_id,
        title=title,
        body=body,
        audience=audience,
        class_ids=class_ids,
        shown_from=shown_from,
        shown_until=shown_until,
    )
    announcement = Announcement.objects.create(school_id=viewer.school_id, author=actor, **values)
    announcement.classes.set(ids)
    audit.record_create(actor=actor, instance=announcement)
    _moved(announcement)
    if announcement.shown_from <= timezone.localdate():
        _notify_readers(announcement)
    return announcement


@transaction.atomic
def announcement_update(
    *,
    actor,
    announcement: Announcement,
    title: str,
    body: str,
    audience: str,
    class_ids: Iterable[int] = (),
    shown_from: datetime.date,
    shown_until: datetime.date,
) -> Announcement:
    """Correct an announcement (its author or the school office); the history keeps the
    old values."""
    permissions.announcements.require(get_viewer(actor), "change", announcement)
    values, ids = _checked(
        school_id=announcement.school_id,
        title=title,
        body=body,
        audience=audience,
        class_ids=class_ids,
        shown_from=shown_from,
        shown_until=shown_until,
    )
    fields = [*values]
    before = audit.snapshot(announcement, fields=fields)
    classes_before = sorted(announcement.classes.values_list("pk", flat=True))
    for name, value in values.items():
        setattr(announcement, name, value)
    announcement.save()
    announcement.classes.set(ids)
    after = audit.snapshot(announcement, fields=fields)
    changes = {k: [before[k], after[k]] for k in fields if before[k] != after[k]}
    if classes_before != ids:
        # The snapshot knows concrete fields only; the classes are compared here.
        changes["classes"] = [classes_before, ids]
    if changes:
        audit.build_entry(
            actor=actor, instance=announcement, action="update", changes=changes
        ).save()
    _moved(announcement)
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor, announcement: Announcement) -> Announcement:
    """Take an announcement off the board (its author or the school office). It stays in
    the history; readers no longer see it."""
    permissions.announcements.require(get_viewer(actor), "change", announcement)
    if announcement.withdrawn_at is not None:
        return announcement
    before = audit.snapshot(announcement, fields=["withdrawn_at"])
    announcement.withdrawn_at = timezone.now()
    announcement.save(update_fields=["withdrawn_at"])
    audit.record_update(actor=actor, instance=announcement, before=before)
    _moved(announcement)
    return announcement


def announcements_mark_read(*, actor, announcement_ids: Iterable[int]) -> None:
    """Remember that the actor has seen these announcements (already visible to them:
    the caller passes the unread ones the board showed). Not history: a reader's visit
    is no change of the register. Twice is harmless (one row per reader and
    announcement)."""
    ids = sorted(set(announcement_ids))
    if not ids:
        return
    with transaction.atomic():
        AnnouncementRead.objects.bulk_create(
            [AnnouncementRead(announcement_id=pk, user_id=actor.pk) for pk in ids],
            ignore_conflicts=True,
        )
        cache.bump(reader_scope(actor.pk))
