"""Demo timetable: a full week for every class, built from the teaching assignments.

Weekly hours follow the framework curriculum roughly; group lessons that split a class
(two English groups, PE girls/boys, religion and ethics) run side by side; no teacher
and no room is ever booked twice at the same time. A few substitutions and
cancellations around today make the changes visible.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import TYPE_CHECKING

from .models import Room, TimetableChange, TimetableEntry

if TYPE_CHECKING:  # the demo app calls populate(); apps name its context in hints only
    from dziennik.demo.context import DemoContext

WEEKLY_HOURS = {
    "Edukacja wczesnoszkolna": 16,
    "Język polski": 5,
    "Matematyka": 4,
    "Język angielski": 3,
    "Język niemiecki": 2,
    "Historia": 2,
    "Przyroda": 4,
    "Biologia": 1,
    "Geografia": 1,
    "Chemia": 2,
    "Fizyka": 2,
    "Informatyka": 1,
    "Technika": 1,
    "Plastyka": 1,
    "Muzyka": 1,
    "Wychowanie fizyczne": 4,
    "Religia": 2,
    "Etyka": 1,
    "Zajęcia z wychowawcą": 1,
    "Wiedza o społeczeństwie": 2,
    "Edukacja dla bezpieczeństwa": 1,
}
DAYS = (1, 2, 3, 4, 5)
SLOTS = range(1, 9)


def _hours(subject_name: str, level: int) -> int:
    if level <= 3 and subject_name == "Język angielski":
        return 2
    if level <= 3 and subject_name == "Wychowanie fizyczne":
        return 0  # part of early education
    return WEEKLY_HOURS.get(subject_name, 1)


def populate(ctx: DemoContext) -> None:
    ctx.progress("Timetable: planning the week of every class")
    rooms_home = Room.objects.bulk_create(
        [Room(school=ctx.school, name=f"s. {100 + i + 1}") for i in range(len(ctx.classes))]
    )
    group_rooms = Room.objects.bulk_create(
        [Room(school=ctx.school, name=f"s. {200 + i + 1}") for i in range(len(ctx.classes) + 4)]
    )
    gyms = Room.objects.bulk_create(
        [Room(school=ctx.school, name=f"sala gimnastyczna {i + 1}") for i in range(4)]
    )
    home_room = {c.pk: rooms_home[i] for i, c in enumerate(ctx.classes)}
    planner = _Planner(ctx, group_rooms, gyms)
    units = _units(ctx, planner.subject_name)
    for school_class in ctx.classes:
        planner.plan_class(school_class, units[school_class.pk], home_room[school_class.pk])
    TimetableEntry.objects.bulk_create(planner.entries, batch_size=1000)
    ctx.progress(f"Timetable: {len(planner.entries)} weekly lessons")
    _changes(ctx, planner.entries, planner.teacher_busy)


def _units(ctx: DemoContext, subject_name: dict[int, str]) -> dict[int, list[list]]:
    """Per class, what to place in the week: whole-class subjects and bundles of groups
    that run together, each with its weekly hours."""
    units: dict[int, list[list]] = defaultdict(list)
    by_class_subject: dict[tuple[int, str], list] = defaultdict(list)
    for a in ctx.assignments:
        name = subject_name[a.subject_id]
        family = name
        if name in ("Religia", "Etyka"):
            family = "religion/ethics"
        by_class_subject[(a.school_class_id, family)].append(a)
    levels = {c.pk: c.level for c in ctx.classes}
    for (class_id, _family), assignments in by_class_subject.items():
        teachers = [a.teacher_id for a in assignments]
        # Groups run side by side only when each has its own teacher.
        bundles = (
            [assignments] if len(set(teachers)) == len(teachers) else [[a] for a in assignments]
        )
        for bundle in bundles:
            hours = max(_hours(subject_name[a.subject_id], levels[class_id]) for a in bundle)
            if hours:
                units[class_id].append([bundle, hours])
    return units


class _Planner:
    """Places each class's lessons in the week, so that no teacher and no room is booked
    twice at the same time."""

    def __init__(self, ctx: DemoContext, group_rooms: list[Room], gyms: list[Room]):
        self.ctx, self.group_rooms, self.gyms = ctx, group_rooms, gyms
        self.slots = {s.number: s for s in ctx.lesson_slots}
        self.subject_name = {s.pk: s.name for s in ctx.subjects}
        self.teacher_busy: set[tuple[int, int, int]] = set()
        self.room_busy: set[tuple[int, int, int]] = set()
        self.entries: list[TimetableEntry] = []
        self.group_hours: dict[tuple, int] = defaultdict(int)

    def plan_class(self, school_class, units: list[list], home: Room) -> None:
        class_busy: set[tuple[int, int]] = set()
        per_day: dict[int, int] = defaultdict(int)
        subject_days: dict[int, set[int]] = defaultdict(set)
        demands = sorted(units, key=lambda u: -u[1])
        order = [u for u in demands for _ in range(u[1])]
        for index, unit in enumerate(order):
            assignments = unit[0]
            key = id(assignments)
            days = sorted(
                DAYS,
                key=lambda d: (key in subject_days[d], per_day[d], (d + index) % 5),
            )
            for day, number in ((d, n) for d in days for n in SLOTS):
                if (day, number) in class_busy or not self._place(
                    school_class, assignments, home, day, number
                ):
                    continue
                class_busy.add((day, number))
                per_day[day] += 1
                subject_days[day].add(key)
                break

    def _place(self, school_class, assignments, home: Room, day: int, number: int) -> bool:
        """Book the bundle at (day, number) if its teachers and rooms are free."""
        if any((a.teacher_id, day, number) in self.teacher_busy for a in assignments):
            return False
        rooms = _rooms_for(
            assignments,
            self.subject_name,
            home,
            self.group_rooms,
            self.gyms,
            self.room_busy,
            day,
            number,
        )
        if rooms is None:
            return False
        for a, room in zip(assignments, rooms, strict=True):
            wanted = _hours(self.subject_name[a.subject_id], school_class.level)
            if self.group_hours[(school_class.pk, a.group_id, a.subject_id)] >= wanted:
                continue  # e.g. ethics has fewer hours than religion
            self.group_hours[(school_class.pk, a.group_id, a.subject_id)] += 1
            self.entries.append(
                TimetableEntry(
                    school=self.ctx.school,
                    school_class=school_class,
                    group_id=a.group_id,
                    weekday=day,
                    slot=self.slots[number],
                    subject_id=a.subject_id,
                    teacher_id=a.teacher_id,
                    room=room,
                    valid_from=self.ctx.year.start_date,
                )
            )
            self.teacher_busy.add((a.teacher_id, day, number))
            if room is not None:
                self.room_busy.add((room.pk, day, number))
        return True


def _rooms_for(assignments, subject_name, home, group_rooms, gyms, room_busy, day, number):
    """A room for each assignment of a bundle at (day, number), or None if none is free."""
    if len(assignments) == 1 and not assignments[0].group_id:
        pool = gyms if subject_name[assignments[0].subject_id] == "Wychowanie fizyczne" else None
        if pool is None:
            return [home]
    chosen = []
    taken = set()
    for a in assignments:
        pool = gyms if subject_name[a.subject_id] == "Wychowanie fizyczne" else group_rooms
        room = next(
            (r for r in pool if (r.pk, day, number) not in room_busy and r.pk not in taken), None
        )
        if room is None:
            return None
        taken.add(room.pk)
        chosen.append(room)
    return chosen


def _changes(ctx: DemoContext, entries: list[TimetableEntry], teacher_busy) -> None:
    """A few substitutions and cancellations on the lesson days around today."""
    days = [d for d in ctx.school_days if d >= ctx.today - datetime.timedelta(days=3)]
    days += [ctx.today + datetime.timedelta(days=i) for i in (1, 2, 3)]
    days = [d for d in dict.fromkeys(days) if d.isoweekday() <= 5]
    if not days or not entries:
        return
    teacher_ids = sorted({e.teacher_id for e in entries})
    changes = []
    used = set()
    for _ in range(min(6, len(entries))):
        day = ctx.rng.choice(days)
        candidates = [e for e in entries if e.weekday == day.isoweekday() and not e.group_id]
        if not candidates:
            continue
        entry = ctx.rng.choice(candidates)
        if (entry.pk, day) in used:
            continue
        used.add((entry.pk, day))
        free = [
            t
            for t in teacher_ids
            if (t, entry.weekday, entry.slot.number) not in teacher_busy and t != entry.teacher_id
        ]
        if free and ctx.rng.random() < 0.7:
            changes.append(
                TimetableChange(
                    school=ctx.school,
                    entry=entry,
                    date=day,
                    kind=TimetableChange.Kind.SUBSTITUTION,
                    substitute_teacher_id=ctx.rng.choice(free),
                    note="zastępstwo – nieobecność nauczyciela",
                )
            )
        else:
            changes.append(
                TimetableChange(
                    school=ctx.school,
                    entry=entry,
                    date=day,
                    kind=TimetableChange.Kind.CANCELLATION,
                    note="wycieczka klasowa",
                )
            )
    TimetableChange.objects.bulk_create(changes)


def reset(school_ids: list[int]) -> None:
    """Remove the timetables of demo schools (before their accounts are removed)."""
    TimetableChange.objects.filter(school_id__in=school_ids).delete()
    TimetableEntry.objects.filter(school_id__in=school_ids).delete()
