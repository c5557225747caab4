"""Collisions in the weekly plan: two lessons that cannot take place at the same time.

Two weekly lessons on the same weekday and lesson number, valid on at least one common
date, collide when they have

- the same teacher (a teacher is in one place at a time),
- the same room, or
- the same class: the whole class and anything else of it, or the same group twice.
  Two different groups of one class side by side are fine (language groups, PE).

The import checks its rows against each other and against the entries that stay; the
editor checks one entry against the plan. Both use ``Booking`` and ``find``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Room, TimetableEntry, Weekday

TEACHER = "teacher"
ROOM = "room"
CLASS = "class"


def room_key(room: Room | None):
    """Rooms compare by id; a room an import is about to create, by its name."""
    if room is None:
        return None
    return room.pk if room.pk is not None else ("new", room.name.casefold())


_KEEP = object()


@dataclass
class Booking:
    """A weekly lesson as the collision rules see it: a saved entry (perhaps with the
    validity it will have after the change) or a planned one from a file row."""

    entry: TimetableEntry
    valid_from: datetime.date
    valid_to: datetime.date | None
    room_key: object = None
    line: int | None = None  # the file row it comes from

    @classmethod
    def of(cls, entry: TimetableEntry, *, line: int | None = None, valid_to=_KEEP) -> Booking:
        """A saved entry (``room_id`` is enough) or one whose ``room`` is set."""
        key = entry.room_id
        if key is None and _room_is_set(entry):
            key = room_key(entry.room)
        return cls(
            entry=entry,
            valid_from=entry.valid_from,
            valid_to=entry.valid_to if valid_to is _KEEP else valid_to,
            room_key=key,
            line=line,
        )

    @property
    def bucket(self) -> tuple[int, int]:
        return (self.entry.weekday, self.entry.slot_id)

    def overlaps(self, other: Booking) -> bool:
        return (self.valid_to is None or other.valid_from <= self.valid_to) and (
            other.valid_to is None or self.valid_from <= other.valid_to
        )

    def kinds(self, other: Booking) -> list[str]:
        """What ``self`` and ``other`` share at the same time (empty: no collision)."""
        a, b = self.entry, other.entry
        if self.bucket != other.bucket or not self.overlaps(other):
            return []
        kinds = []
        if a.teacher_id == b.teacher_id:
            kinds.append(TEACHER)
        if self.room_key is not None and self.room_key == other.room_key:
            kinds.append(ROOM)
        if a.school_class_id == b.school_class_id and (
            a.group_id is None or b.group_id is None or a.group_id == b.group_id
        ):
            kinds.append(CLASS)
        return kinds


def _room_is_set(entry: TimetableEntry) -> bool:
    return TimetableEntry._meta.get_field("room").is_cached(entry) and entry.room is not None


def find(
    planned: Iterable[Booking], staying: Iterable[Booking]
) -> list[tuple[Booking, Booking, list[str]]]:
    """Collisions of each planned booking with the planned ones before it and with the
    ``staying`` ones: ``(planned, other, kinds)``, in the order of ``planned``."""
    by_bucket: dict[tuple[int, int], list[Booking]] = defaultdict(list)
    for booking in staying:
        by_bucket[booking.bucket].append(booking)
    found = []
    for booking in planned:
        for other in by_bucket[booking.bucket]:
            kinds = booking.kinds(other)
            if kinds:
                found.append((booking, other, kinds))
        by_bucket[booking.bucket].append(booking)
    return found


def describe(booking: Booking) -> str:
    """``Historia – 4b (gr. 1) (line 7)`` or ``… (in the plan from 01.09.2026)``."""
    entry = booking.entry
    target = entry.school_class.name
    if entry.group is not None:
        target = f"{target} ({entry.group.name})"
    values = {"subject": entry.subject.name, "target": target}
    if booking.line is not None:
        return _("%(subject)s – %(target)s (line %(line)s)") % {**values, "line": booking.line}
    return _("%(subject)s – %(target)s (in the plan from %(date)s)") % {
        **values,
        "date": booking.valid_from.strftime("%d.%m.%Y"),
    }


def messages(booking: Booking, other: Booking, kinds: list[str]) -> list[str]:
    entry = booking.entry
    values = {
        "day": str(Weekday(entry.weekday).label),
        "number": entry.slot.number,
        "other": describe(other),
    }
    result = []
    if TEACHER in kinds:
        result.append(
            _("%(day)s, lesson %(number)s: teacher %(teacher)s already teaches %(other)s.")
            % {**values, "teacher": entry.teacher.get_full_name() or entry.teacher.username}
        )
    if ROOM in kinds:
        result.append(
            _("%(day)s, lesson %(number)s: room %(room)s is already taken by %(other)s.")
            % {**values, "room": entry.room.name}
        )
    if CLASS in kinds:
        result.append(
            _("%(day)s, lesson %(number)s: class %(class)s already has %(other)s.")
            % {**values, "class": entry.school_class.name}
        )
    return result


def clashes_with_plan(
    entry: TimetableEntry,
    *,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    ignore: Iterable[int] = (),
) -> list[str]:
    """Why ``entry`` (saved or not) cannot be in the plan from ``valid_from`` to
    ``valid_to``: one query for the entries of the school at that weekday and lesson."""
    overlapping = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        overlapping &= Q(valid_from__lte=valid_to)
    same = Q(teacher_id=entry.teacher_id) | Q(school_class_id=entry.school_class_id)
    if entry.room_id is not None:
        same |= Q(room_id=entry.room_id)
    others = (
        TimetableEntry.objects.filter(
            overlapping, same, school_id=entry.school_id, weekday=entry.weekday, slot=entry.slot
        )
        .exclude(pk__in=[*ignore, *([entry.pk] if entry.pk else [])])
        .select_related("school_class", "group", "subject")
        .order_by("valid_from", "pk")
    )
    candidate = Booking.of(entry, valid_to=valid_to)
    candidate.valid_from = valid_from
    found = []
    for planned, other, kinds in find([candidate], [Booking.of(o) for o in others]):
        found += messages(planned, other, kinds)
    return found
