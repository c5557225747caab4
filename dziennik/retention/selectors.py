"""What is due for destruction, per kind and school year (``retention_due``, the
principal's screen). One query per part of each kind, however many rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from dziennik.schools.viewer import Viewer

from .models import DestructionProtocol
from .rules import KINDS, Kind, year_label


@dataclass
class DueYear:
    kind: Kind
    year: int
    due_from: datetime.date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class KindState:
    kind: Kind
    due: list[DueYear]
    # the oldest school year still kept, and when it becomes due
    next_year: int | None = None
    next_due_from: datetime.date | None = None

    @property
    def total(self) -> int:
        return sum(item.total for item in self.due)

    @property
    def years(self) -> str:
        if not self.due:
            return ""
        first, last = self.due[0].label, self.due[-1].label
        return first if first == last else f"{first} – {last}"


def _years(kind: Kind, school_id: int) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    for part in kind.parts:
        rows = (
            part.with_year(school_id)
            .values("retention_year")
            .annotate(n=Count("pk"))
            .order_by("retention_year")
        )
        for row in rows:
            found.setdefault(row["retention_year"], {})[part.label] = row["n"]
    return found


def kind_state(kind: Kind, school_id: int, today: datetime.date) -> KindState:
    state = KindState(kind=kind, due=[])
    deadline = kind.deadline(school_id)
    for year, counts in sorted(_years(kind, school_id).items()):
        due_from = deadline(year)
        if due_from <= today:
            state.due.append(DueYear(kind=kind, year=year, due_from=due_from, counts=counts))
        elif state.next_year is None:
            state.next_year, state.next_due_from = year, due_from
    return state


def due_for_school(school_id: int, today: datetime.date) -> list[KindState]:
    """Every kind's school years due for destruction on ``today`` (for the command)."""
    return [kind_state(kind, school_id, today) for kind in KINDS]


def due(viewer: Viewer, today: datetime.date) -> list[KindState]:
    """The same for the viewer's school; the caller checked ``may_destroy``."""
    return due_for_school(viewer.school_id, today)


def protocols(viewer: Viewer) -> QuerySet[DestructionProtocol]:
    return DestructionProtocol.objects.filter(school_id=viewer.school_id).select_related(
        "confirmed_by"
    )
