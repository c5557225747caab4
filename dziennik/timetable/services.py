"""Writes to the timetable: entries, day-to-day changes, calendar feed addresses."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.schools.models import ClassGroup, LessonSlot, SchoolClass, Subject

from .models import CalendarFeed, Room, TimetableChange, TimetableEntry


@transaction.atomic
def timetable_entry_create(
    *,
    actor,
    school_class: SchoolClass,
    weekday: int,
    slot: LessonSlot,
    subject: Subject,
    teacher,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    room: Room | None = None,
    group: ClassGroup | None = None,
) -> TimetableEntry:
    """Add a weekly lesson to a class's plan (from ``valid_from``)."""
    if group is not None and group.school_class_id != school_class.pk:
        raise ValidationError(_("The group does not belong to this class."))
    if slot.school_id != school_class.school_id or subject.school_id != school_class.school_id:
        raise ValidationError(_("The lesson number and subject must belong to the school."))
    clash = TimetableEntry.objects.filter(teacher=teacher, weekday=weekday, slot=slot).filter(
        _overlapping(valid_from, valid_to)
    )
    if clash.exists():
        raise ValidationError(_("The teacher already has a lesson at that time."))
    entry = TimetableEntry.objects.create(
        school_id=school_class.school_id,
        school_class=school_class,
        group=group,
        weekday=weekday,
        slot=slot,
        subject=subject,
        teacher=teacher,
        room=room,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit.record_create(actor=actor, instance=entry, school_class_id=school_class.pk)
    return entry


def _overlapping(valid_from, valid_to):
    from django.db.models import Q

    q = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        q &= Q(valid_from__lte=valid_to)
    return q


@transaction.atomic
def timetable_entry_end(*, actor, entry: TimetableEntry, last_day: datetime.date) -> None:
    """Stop a weekly lesson after ``last_day`` (the plan changes; the past stays)."""
    if last_day < entry.valid_from:
        raise ValidationError(_("The last day cannot be before the entry starts."))
    before = audit.snapshot(entry, fields=["valid_to"])
    entry.valid_to = last_day
    entry.save(update_fields=["valid_to"])
    audit.record_update(
        actor=actor, instance=entry, before=before, school_class_id=entry.school_class_id
    )


@transaction.atomic
def timetable_change_create(
    *,
    actor,
    entry: TimetableEntry,
    date: datetime.date,
    kind: str,
    substitute_teacher=None,
    room: Room | None = None,
    new_date: datetime.date | None = None,
    new_slot: LessonSlot | None = None,
    note: str = "",
) -> TimetableChange:
    """Record a substitution, cancellation or move of one planned lesson."""
    if not entry.is_valid_on(date):
        raise ValidationError(_("This lesson does not take place on that date."))
    if kind == TimetableChange.Kind.SUBSTITUTION and substitute_teacher is None:
        raise ValidationError(_("Choose the substitute teacher."))
    if kind == TimetableChange.Kind.MOVED and (new_date is None or new_slot is None):
        raise ValidationError(_("Choose the new date and lesson number."))
    if kind != TimetableChange.Kind.MOVED:
        new_date, new_slot = None, None
    if TimetableChange.objects.filter(entry=entry, date=date).exists():
        raise ValidationError(_("This lesson already has a change on that date."))
    change = TimetableChange.objects.create(
        school_id=entry.school_id,
        entry=entry,
        date=date,
        kind=kind,
        substitute_teacher=substitute_teacher,
        room=room,
        new_date=new_date,
        new_slot=new_slot,
        note=note,
    )
    audit.record_create(actor=actor, instance=change, school_class_id=entry.school_class_id)
    return change


@transaction.atomic
def timetable_change_delete(*, actor, change: TimetableChange) -> None:
    audit.record_delete(actor=actor, instance=change, school_class_id=change.entry.school_class_id)
    change.delete()


@transaction.atomic
def calendar_feed_create(*, actor) -> CalendarFeed:
    """Give the actor a new secret feed address, replacing (revoking) any old one."""
    calendar_feed_revoke(actor=actor)
    feed = CalendarFeed.objects.create(user=actor)
    _record_feed(actor, feed, "create")
    return feed


def _record_feed(actor, feed: CalendarFeed, action: str) -> None:
    # The token itself never goes into the history: it is a credential.
    value = {"user": feed.user_id, "token": "***"}
    changes = {k: [None, v] if action == "create" else [v, None] for k, v in value.items()}
    audit.record_many(
        [
            audit.build_entry(
                actor=actor,
                instance=feed,
                action=action,
                changes=changes,
                school_id=actor.school_id,
            )
        ]
    )


@transaction.atomic
def calendar_feed_revoke(*, actor) -> None:
    """Revoke the actor's feed: its address stops working at once."""
    feed = CalendarFeed.objects.filter(user=actor).first()
    if feed is not None:
        _record_feed(actor, feed, "delete")
        feed.delete()
