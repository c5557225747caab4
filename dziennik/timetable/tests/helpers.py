"""Shared set-up of the timetable import and editor tests.

The register is built on a Monday in the middle of the world's school year (``reg.day``),
so the dates do not depend on when the tests run: 4a has Historia, Matematyka,
Matematyka, Historia at lessons 1–4 on Mondays in room 12; 4b has Historia (teacher_out)
at lesson 2. The new plans start a week later, on ``next_monday(reg)``.
"""

from __future__ import annotations

import csv
import datetime
import io

from dziennik.attendance.models import Lesson
from dziennik.attendance.tests.factories import build_register
from dziennik.core.models import AuditEntry
from dziennik.schools.models import ClassGroup
from dziennik.timetable.models import Room, TimetableChange, TimetableEntry

HEADER = "klasa;grupa;dzien;lekcja;przedmiot;nauczyciel;sala;obowiazuje_od"


def monday_in_year(world) -> datetime.date:
    day = world.year.start_date + datetime.timedelta(days=140)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def build(world):
    reg = build_register(world, day=monday_in_year(world))
    ClassGroup.objects.create(school_class=world.school_class, name="gr. 1")
    ClassGroup.objects.create(school_class=world.school_class, name="gr. 2")
    return reg


def next_monday(reg) -> datetime.date:
    return reg.day + datetime.timedelta(days=7)


def csv_bytes(rows, header=HEADER, *, sep=";", bom=False) -> bytes:
    """The rows (written with ``;``) re-written with ``sep``, quoted where needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    for line in [header, *rows]:
        writer.writerow(next(csv.reader([line], delimiter=";")))
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def plan_rows(day: datetime.date) -> list[str]:
    """A new plan for 4a: Monday and Tuesday, two groups side by side, two new rooms."""
    d = day.strftime("%d.%m.%Y")
    return [
        f"4a;;pon;1;Historia;wych;12;{d}",
        f"4a;;poniedziałek;2;Matematyka;n-in;12;{d}",
        f"4a;;wt;1;Matematyka;Lewandowski Tomasz;12;{d}",
        f"4a;gr. 1;Wtorek;2;Historia;Wójcik Grażyna;13;{d}",
        f"4a;gr. 2;2;2;Matematyka;N-IN;14;{d}",
    ]


def lesson_on(entry: TimetableEntry, day: datetime.date) -> Lesson:
    """A lesson recorded under ``entry`` (as opening it in the register does)."""
    return Lesson.objects.create(
        school_id=entry.school_id,
        school_class_id=entry.school_class_id,
        group_id=entry.group_id,
        subject_id=entry.subject_id,
        teacher_id=entry.teacher_id,
        date=day,
        slot_id=entry.slot_id,
        timetable_entry=entry,
    )


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (TimetableEntry, TimetableChange, Room, AuditEntry)
    }


def plan_of(school_class, day: datetime.date) -> list[tuple]:
    """(weekday, lesson, subject, group, teacher login, room) valid on ``day``'s week."""
    from dziennik.timetable import selectors

    return [
        (
            o.entry.weekday,
            o.slot.number,
            o.entry.subject.name,
            o.entry.group.name if o.entry.group else "",
            o.teacher.username,
            o.room.name if o.room else "",
        )
        for o in selectors.plan_week(school_class, selectors.week_start(day))
    ]
