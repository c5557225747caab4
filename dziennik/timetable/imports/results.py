"""What a timetable import does (or, for a preview or a refused file, would do)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dziennik.core import csvimport
from dziennik.schools.models import SchoolClass

from ..models import Room, TimetableChange, TimetableEntry


@dataclass
class ClassPlan:
    """What the import does to one class: its plan is replaced from ``valid_from``."""

    school_class: SchoolClass
    valid_from: datetime.date
    new: list[TimetableEntry] = field(default_factory=list)  # to create (unsaved)
    unchanged: list[TimetableEntry] = field(default_factory=list)  # the same row, kept
    ending: list[TimetableEntry] = field(default_factory=list)  # end the day before
    removed: list[TimetableEntry] = field(default_factory=list)  # never started: go
    changes_removed: list[TimetableChange] = field(default_factory=list)

    @property
    def last_old_day(self) -> datetime.date:
        return self.valid_from - datetime.timedelta(days=1)


@dataclass
class TimetableImportResult(csvimport.CheckedFile):
    """What an import did (or, for a preview or a refused file, would do)."""

    classes: list[ClassPlan] = field(default_factory=list)
    new_rooms: list[Room] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(len(getattr(plan, name)) for plan in self.classes)

    @property
    def created(self) -> int:
        return self.total("new")

    @property
    def changes(self) -> int:
        return sum(
            self.total(name) for name in ("new", "ending", "removed", "changes_removed")
        ) + len(self.new_rooms)
