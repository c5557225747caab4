"""Reads for the rooms screen (*sale*), through the viewer: the rows come from
``permissions.rooms``, so whoever may not manage the timetable gets an empty list or the
same 404 as for a missing room."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from dziennik.schools.viewer import Viewer

from . import permissions
from .models import Room, TimetableChange, TimetableEntry


def _rooms(viewer: Viewer, today: datetime.date) -> QuerySet[Room]:
    """Each room with ``lessons`` (weekly lessons in it from ``today`` on) and ``in_use``
    (some lesson or change of the plan, past or future, names it)."""
    return permissions.rooms.queryset(viewer, "manage").annotate(
        lessons=Count(
            "timetable_entries",
            filter=Q(timetable_entries__valid_to__isnull=True)
            | Q(timetable_entries__valid_to__gte=today),
        ),
        in_use=Exists(TimetableEntry.objects.filter(room_id=OuterRef("pk")))
        | Exists(TimetableChange.objects.filter(room_id=OuterRef("pk"))),
    )


def room_list(viewer: Viewer, *, today: datetime.date) -> list[Room]:
    """The school's rooms, active first, by name (one query)."""
    return list(_rooms(viewer, today).order_by("-is_active", "name"))


def get_room_for(viewer: Viewer, room_id: int, *, today: datetime.date) -> Room:
    """One room the viewer manages, with ``lessons`` and ``in_use``; 404 when missing or
    forbidden."""
    return permissions.rooms.get(viewer, room_id, "manage", queryset=_rooms(viewer, today))


def room_version(room: Room) -> str:
    """What an edit form of ``room`` was based on (its stored name and state)."""
    return f"{room.name}\x1f{int(room.is_active)}"
