"""What an import did (or, for a dry run or a refused file, would have done)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dziennik.core import csvimport


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


KINDS = ("classes", "students", "enrolments", "guardians", "guardianships", "families")


@dataclass
class ImportResult(csvimport.CheckedFile):
    """What an import did (or, for a dry run or a refused file, would have done)."""

    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})

    @property
    def changes(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def count_rows(self) -> list[tuple[str, str, Counts]]:
        labels = {
            "classes": _("Classes"),
            "students": _("Students"),
            "enrolments": _("Enrolments"),
            "guardians": _("Guardians"),
            "guardianships": _("Guardian links"),
            "families": _("Families"),
        }
        return [(key, labels[key], self.counts[key]) for key in KINDS]
