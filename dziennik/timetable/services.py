"""Writes to the timetable: entries (one by one or a whole import), day-to-day changes,
calendar feed addresses. The weekly plan is changed by the principal, deputy or secretary
(``permissions``); every write is checked, runs in a transaction
and is recorded in the history with the class it concerns."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, cache, concurrency
from dziennik.core.models import AuditEntry
from dziennik.core.policy import Policy
from dziennik.core.text import field_choice, field_text
from dziennik.schools.models import ClassGroup, LessonSlot, School, SchoolClass, Subject
from dziennik.schools.viewer import get_viewer

from . import collisions, imports, permissions
from .models import CalendarFeed, Room, TimetableChange, TimetableEntry, Weekday


def _authorize(actor: User, policy: Policy, obj) -> None:
    """``PermissionDenied`` unless the actor may manage ``obj`` (``permissions``)."""
    if not policy.allows(get_viewer(actor), "manage", obj):
        raise PermissionDenied


def _lock_school(school_id: int) -> None:
    """Changes to one school's plan run one at a time: each checks collisions against
    the plan as it is, and two at once could each miss the other's new lesson."""
    School.objects.select_for_update().filter(pk=school_id).first()


def _check_entry(
    *,
    school_class: SchoolClass,
    group: ClassGroup | None,
    weekday: int,
    slot: LessonSlot,
    subject: Subject,
    teacher: User,
    room: Room | None,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    current_room_id: int | None = None,
) -> None:
    school_id = school_class.school_id
    if group is not None and group.school_class_id != school_class.pk:
        raise ValidationError(_("The group does not belong to this class."))
    if slot.school_id != school_id or subject.school_id != school_id:
        raise ValidationError(_("The lesson number and subject must belong to the school."))
    if teacher.school_id != school_id or not teacher.is_active:
        raise ValidationError(_("The teacher must be an active teacher of the school."))
    if room is not None and room.school_id != school_id:
        raise ValidationError(_("The room must belong to the school."))
    if room is not None and not room.is_active and room.pk != current_room_id:
        raise ValidationError(
            _("The room %(room)s is no longer in use: choose another.") % {"room": room.name}
        )
    if weekday not in Weekday.values:
        raise ValidationError(_("Choose a weekday."))
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The last day cannot be before the first day."))


def _refuse_collisions(entry: TimetableEntry, valid_from, valid_to, ignore=()) -> None:
    clashes = collisions.clashes_with_plan(
        entry, valid_from=valid_from, valid_to=valid_to, ignore=ignore
    )
    if clashes:
        raise ValidationError(clashes)


@transaction.atomic
def timetable_entry_create(
    *,
    actor: User,
    school_class: SchoolClass,
    weekday: int,
    slot: LessonSlot,
    subject: Subject,
    teacher: User,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    room: Room | None = None,
    group: ClassGroup | None = None,
) -> TimetableEntry:
    """Add a weekly lesson to a class's plan (from ``valid_from``), if nothing collides."""
    _authorize(actor, permissions.class_plans, school_class)
    _lock_school(school_class.school_id)
    values = {
        "school_class": school_class,
        "group": group,
        "weekday": weekday,
        "slot": slot,
        "subject": subject,
        "teacher": teacher,
        "room": room,
    }
    _check_entry(**values, valid_from=valid_from, valid_to=valid_to)
    entry = TimetableEntry(
        school_id=school_class.school_id, valid_from=valid_from, valid_to=valid_to, **values
    )
    _refuse_collisions(entry, valid_from, valid_to)
    entry.save()
    audit.record_create(actor=actor, instance=entry, school_class_id=school_class.pk)
    return entry


CHANGEABLE = ("group", "weekday", "slot", "subject", "teacher", "room")


@transaction.atomic
def timetable_entry_change(
    *,
    actor: User,
    entry: TimetableEntry,
    from_date: datetime.date,
    weekday: int,
    slot: LessonSlot,
    subject: Subject,
    teacher: User,
    room: Room | None = None,
    group: ClassGroup | None = None,
    version: str | None = None,
) -> TimetableEntry:
    """Change a weekly lesson from ``from_date`` on; returns the entry valid from then.
    A form based on an older ``version`` is refused (``_fresh``). The plan keeps its
    past: the entry ends the day before ``from_date`` and a new one with the new values
    starts on it (until the old one's last day), so earlier weeks still show what was.
    From the entry's own first day the entry itself is corrected. Substitutions and
    cancellations from ``from_date`` follow the lesson when it still takes place on
    their date, and are removed otherwise."""
    _authorize(actor, permissions.entries, entry)
    _lock_school(entry.school_id)
    entry = _fresh(entry, version)
    if from_date < entry.valid_from:
        raise ValidationError(
            _("The change cannot start before the lesson does (%(date)s).")
            % {"date": entry.valid_from.strftime("%d.%m.%Y")}
        )
    if entry.valid_to is not None and from_date > entry.valid_to:
        raise ValidationError(
            _("The lesson ends on %(date)s; the change cannot start after that.")
            % {"date": entry.valid_to.strftime("%d.%m.%Y")}
        )
    values = {
        "group": group,
        "weekday": weekday,
        "slot": slot,
        "subject": subject,
        "teacher": teacher,
        "room": room,
    }
    if all(getattr(entry, name) == value for name, value in values.items()):
        raise ValidationError(_("Nothing has changed."))
    _check_entry(
        school_class=entry.school_class,
        **values,
        valid_from=from_date,
        valid_to=entry.valid_to,
        current_room_id=entry.room_id,
    )
    if from_date == entry.valid_from:
        before = audit.snapshot(entry, fields=CHANGEABLE)
        for name, value in values.items():
            setattr(entry, name, value)
        _refuse_collisions(entry, from_date, entry.valid_to)
        entry.save(update_fields=[*CHANGEABLE])
        audit.record_update(
            actor=actor, instance=entry, before=before, school_class_id=entry.school_class_id
        )
        _settle_changes(actor, old=entry, new=entry, from_date=from_date)
        return entry
    new = TimetableEntry(
        school_id=entry.school_id,
        school_class=entry.school_class,
        valid_from=from_date,
        valid_to=entry.valid_to,
        **values,
    )
    _refuse_collisions(new, from_date, entry.valid_to, ignore=[entry.pk])
    before = audit.snapshot(entry, fields=["valid_to"])
    entry.valid_to = from_date - datetime.timedelta(days=1)
    entry.save(update_fields=["valid_to"])
    audit.record_update(
        actor=actor, instance=entry, before=before, school_class_id=entry.school_class_id
    )
    new.save()
    audit.record_create(actor=actor, instance=new, school_class_id=new.school_class_id)
    _settle_changes(actor, old=entry, new=new, from_date=from_date)
    return new


@transaction.atomic
def timetable_entry_end(
    *, actor: User, entry: TimetableEntry, last_day: datetime.date
) -> TimetableEntry | None:
    """Stop a weekly lesson after ``last_day`` (the plan changes; the past stays).

    Changes recorded for its later dates go with it. Ending it before its first day
    removes it, which is allowed only while no lesson has been recorded under it (the
    history keeps it); returns None then.
    """
    _authorize(actor, permissions.entries, entry)
    _lock_school(entry.school_id)
    entry = _fresh(entry)
    if entry.valid_to is not None and last_day >= entry.valid_to:
        raise ValidationError(
            _("The lesson already ends on %(date)s.")
            % {"date": entry.valid_to.strftime("%d.%m.%Y")}
        )
    if last_day < entry.valid_from:
        if entry.lessons.exists():
            raise ValidationError(
                _(
                    "Lessons have already been recorded under this entry, so its last day "
                    "cannot be before its first day (%(date)s)."
                )
                % {"date": entry.valid_from.strftime("%d.%m.%Y")}
            )
        _settle_changes(actor, old=entry, new=None, from_date=entry.valid_from)
        audit.record_delete(actor=actor, instance=entry, school_class_id=entry.school_class_id)
        entry.delete()
        return None
    before = audit.snapshot(entry, fields=["valid_to"])
    entry.valid_to = last_day
    entry.save(update_fields=["valid_to"])
    audit.record_update(
        actor=actor, instance=entry, before=before, school_class_id=entry.school_class_id
    )
    _settle_changes(actor, old=entry, new=None, from_date=last_day + datetime.timedelta(days=1))
    return entry


def entry_version(entry: TimetableEntry) -> str:
    """What an entry's change form was based on: its lesson and validity."""
    return concurrency.version_of([entry], fields=[*CHANGEABLE, "valid_from", "valid_to"])


def _fresh(entry: TimetableEntry, version: str | None = None) -> TimetableEntry:
    """The entry as it is now, read under the school's lock; ``StaleEdit`` when it is
    no longer the ``version`` (``entry_version``) a form was based on."""
    fresh = TimetableEntry.objects.select_related(
        "school_class", "group", "slot", "subject", "teacher", "room"
    ).get(pk=entry.pk)
    concurrency.require_version(version, entry_version(fresh))
    return fresh


def _settle_changes(
    actor: User, *, old: TimetableEntry, new: TimetableEntry | None, from_date: datetime.date
) -> None:
    """The changes of ``old`` from ``from_date``: moved to ``new`` where it takes place on
    their date, removed where no lesson is left for them to change."""
    for change in TimetableChange.objects.filter(entry=old, date__gte=from_date).order_by("pk"):
        if new is not None and new.is_valid_on(change.date):
            if change.entry_id != new.pk:
                before = audit.snapshot(change, fields=["entry"])
                change.entry = new
                change.save(update_fields=["entry"])
                audit.record_update(
                    actor=actor, instance=change, before=before, school_class_id=new.school_class_id
                )
            continue
        audit.record_delete(actor=actor, instance=change, school_class_id=old.school_class_id)
        change.delete()


# --- the import ---------------------------------------------------------------------


def timetable_import(
    *,
    actor: User,
    school: School,
    data: bytes,
    default_valid_from: datetime.date | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> imports.TimetableImportResult:
    """Replace the plans of the classes in CSV ``data`` from each class's date.

    All or nothing: a file with any bad row, or any collision, writes nothing and the
    result names every problem with its line. Otherwise, for each class in the file, its
    entries valid on the date end the day before (the past keeps them, and lessons
    already recorded keep their entry), entries that would only start later go, and the
    file's lessons are created; the same lesson imported again from the same date is
    left as it is. With ``dry_run`` nothing is written and the result shows what would be.
    """
    if not permissions.can_manage_timetable(get_viewer(actor), school_id=school.pk):
        raise PermissionDenied
    today = today or timezone.localdate()
    result = imports.TimetableImportResult(dry_run=dry_run)
    rows = imports.parse(data, result, default_valid_from=default_valid_from)
    if not result.ok:
        return result
    try:
        with transaction.atomic():
            _lock_school(school.pk)
            imports.plan(school, rows, result, today=today)
            if result.ok and not dry_run:
                _write_import(actor, result, school_id=school.pk)
    except (IntegrityError, DataError) as exc:
        # The checks should make this impossible; if the database still refuses, nothing
        # is half-done and the person importing is told.
        result.file_errors.append(
            _("The database refused the import, nothing was imported: %(error)s") % {"error": exc}
        )
    return result


def _history(actor: User, instance, action: str, **links) -> AuditEntry:
    values = audit.snapshot(instance)
    if action == "create":
        changes = {name: [None, value] for name, value in values.items()}
    else:
        changes = {name: [value, None] for name, value in values.items()}
    return audit.build_entry(
        actor=actor, instance=instance, action=action, changes=changes, **links
    )


def _write_import(actor: User, result: imports.TimetableImportResult, *, school_id: int) -> None:
    """Write a checked plan in bulk: a fixed number of statements per class."""
    history: list[AuditEntry] = []
    if result.new_rooms:
        Room.objects.bulk_create(result.new_rooms)
        history += [_history(actor, room, "create") for room in result.new_rooms]
    gone_changes: list[int] = []
    gone_entries: list[int] = []
    for class_plan in result.classes:
        class_id = class_plan.school_class.pk
        for change in class_plan.changes_removed:
            history.append(_history(actor, change, "delete", school_class_id=class_id))
            gone_changes.append(change.pk)
        for entry in class_plan.removed:
            history.append(_history(actor, entry, "delete", school_class_id=class_id))
            gone_entries.append(entry.pk)
        last_day = class_plan.last_old_day
        history += audit.build_updates(
            actor=actor,
            instances=class_plan.ending,
            field="valid_to",
            new=last_day,
            school_class_id=class_id,
        )
        for entry in class_plan.ending:
            entry.valid_to = last_day
        if class_plan.ending:
            TimetableEntry.objects.filter(pk__in=[e.pk for e in class_plan.ending]).update(
                valid_to=last_day
            )
    if gone_changes:
        TimetableChange.objects.filter(pk__in=gone_changes).delete()
    if gone_entries:
        TimetableEntry.objects.filter(pk__in=gone_entries).delete()
    new = [entry for class_plan in result.classes for entry in class_plan.new]
    TimetableEntry.objects.bulk_create(new, batch_size=500)
    history += [_history(actor, e, "create", school_class_id=e.school_class_id) for e in new]
    audit.record_many(history)
    # Bulk writes send no signals: the school's cached configuration moves here, once.
    cache.bump(cache.config_scope(school_id))


@transaction.atomic
def timetable_change_create(
    *,
    actor: User,
    entry: TimetableEntry,
    date: datetime.date,
    kind: str,
    substitute_teacher: User | None = None,
    room: Room | None = None,
    new_date: datetime.date | None = None,
    new_slot: LessonSlot | None = None,
    note: str = "",
) -> TimetableChange:
    """Record a substitution, cancellation or move of one planned lesson.

    Idempotent: the entry is locked for the check, so a double submit waits for the
    first and then gets the same change back (no second row, no ``IntegrityError``); a
    different change of the same lesson and date is refused."""
    _authorize(actor, permissions.entries, entry)
    kind = field_choice(TimetableChange, "kind", kind)
    note = field_text(TimetableChange, "note", note)
    if not entry.is_valid_on(date):
        raise ValidationError(_("This lesson does not take place on that date."))
    if kind == TimetableChange.Kind.SUBSTITUTION and substitute_teacher is None:
        raise ValidationError(_("Choose the substitute teacher."))
    if kind == TimetableChange.Kind.MOVED and (new_date is None or new_slot is None):
        raise ValidationError(_("Choose the new date and lesson number."))
    if kind != TimetableChange.Kind.MOVED:
        new_date, new_slot = None, None
    values = {
        "kind": kind,
        "substitute_teacher_id": substitute_teacher and substitute_teacher.pk,
        "room_id": room and room.pk,
        "new_date": new_date,
        "new_slot_id": new_slot and new_slot.pk,
        "note": note,
    }
    concurrency.locked(TimetableEntry.objects.filter(pk=entry.pk).only("pk"))
    existing = TimetableChange.objects.filter(entry=entry, date=date).first()
    if existing is not None:
        if all(getattr(existing, name) == value for name, value in values.items()):
            return existing  # the same change submitted again
        raise ValidationError(_("This lesson already has a change on that date."))
    change = TimetableChange.objects.create(
        school_id=entry.school_id, entry=entry, date=date, **values
    )
    audit.record_create(actor=actor, instance=change, school_class_id=entry.school_class_id)
    return change


@transaction.atomic
def timetable_change_delete(*, actor: User, change: TimetableChange) -> None:
    _authorize(actor, permissions.changes, change)
    audit.record_delete(actor=actor, instance=change, school_class_id=change.entry.school_class_id)
    change.delete()


@transaction.atomic
def calendar_feed_create(*, actor: User, language: str | None = None) -> CalendarFeed:
    """Give the actor a new secret feed address, replacing (revoking) any old one; its
    events are written in ``language`` (the school's by default)."""
    calendar_feed_revoke(actor=actor)
    codes = {code for code, _name in settings.LANGUAGES}
    feed = CalendarFeed.objects.create(
        user=actor, language=language if language in codes else settings.LANGUAGE_CODE
    )
    _record_feed(actor, feed, "create")
    return feed


def _record_feed(actor: User, feed: CalendarFeed, action: str) -> None:
    # The token itself never goes into the history: it is a credential.
    value = {"user": feed.user_id, "token": "***", "language": feed.language}
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
def calendar_feed_revoke(*, actor: User) -> None:
    """Revoke the actor's feed: its address stops working at once."""
    feed = CalendarFeed.objects.filter(user=actor).first()
    if feed is not None:
        _record_feed(actor, feed, "delete")
        feed.delete()
