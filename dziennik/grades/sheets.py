"""The class sheets of term and final grades and of behaviour grades: their columns, the
form name of a cell, and what saving a whole sheet reports about its bad cells.

Shared by the selectors (what a sheet shows), the services (a sheet is saved in one
transaction, or not at all) and the views (which read the posted form into cells).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import Student

from .models import BehaviourGrade, ClassificationGrade


@dataclass(frozen=True)
class Column:
    """A column of a sheet: which grade its cells hold."""

    key: str
    kind: str
    is_proposal: bool
    label: str | Promise


CLASSIFICATION_COLUMNS = (
    Column("term_proposal", ClassificationGrade.Kind.TERM, True, _("Proposed term grade")),
    Column("term", ClassificationGrade.Kind.TERM, False, _("Term grade")),
    Column("final_proposal", ClassificationGrade.Kind.FINAL, True, _("Proposed final grade")),
    Column("final", ClassificationGrade.Kind.FINAL, False, _("Final grade")),
)
BEHAVIOUR_COLUMNS = (
    Column("term", BehaviourGrade.Kind.TERM, False, _("Term grade")),
    Column("final", BehaviourGrade.Kind.FINAL, False, _("Final grade")),
)


def cell_name(column: Column, student_id: int) -> str:
    """The form field of a cell, e.g. ``term_proposal_42``."""
    return f"{column.key}_{student_id}"


def posted_cells(data, students: Iterable[Student], columns: Sequence[Column]) -> list[CellInput]:
    """The cells of ``students`` present in the posted ``data`` (a missing field is left
    as it is; an empty one clears its grade)."""
    return [
        CellInput(student, column, data[name])
        for student in students
        for column in columns
        if (name := cell_name(column, student.pk)) in data
    ]


def sheet_version(rows: Iterable[Model]) -> str:
    """A fingerprint of a sheet's saved rows (which exist, when each last changed): the
    form carries it, and a save based on another one is refused as stale."""
    digest = hashlib.sha256()
    for pk, updated_at in sorted((row.pk, row.updated_at.isoformat()) for row in rows):
        digest.update(f"{pk}:{updated_at};".encode())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class CellInput:
    """What was typed in one cell of a sheet."""

    student: Student
    column: Column
    raw: str

    @property
    def name(self) -> str:
        return cell_name(self.column, self.student.pk)


@dataclass(frozen=True)
class CellError:
    """A bad cell and why."""

    cell: CellInput
    reason: str

    @property
    def name(self) -> str:
        return self.cell.name

    def __str__(self) -> str:
        return gettext("%(student)s, %(column)s: %(reason)s") % {
            "student": self.cell.student.full_name,
            "column": self.cell.column.label,
            "reason": self.reason,
        }


class SheetInvalid(ValidationError):
    """Nothing of the sheet was saved: ``cells`` names every bad cell with its reason;
    ``stale`` says the sheet changed since the form was opened; ``conflicts`` are the
    cells both the user and someone else changed meanwhile (shown as saved now)."""

    def __init__(self, cells: Iterable[CellError] = (), *, stale: bool = False, conflicts=()):
        self.cells = list(cells)
        self.stale = stale
        self.conflicts = set(conflicts)
        messages = [str(error) for error in self.cells]
        if stale:
            messages.insert(
                0, gettext("Someone else changed these grades after you opened the page.")
            )
        super().__init__(messages)

    @property
    def by_name(self) -> dict[str, str]:
        """The reason of each bad cell by its form field."""
        return {error.name: error.reason for error in self.cells}
