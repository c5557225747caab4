"""Reading and checking a timetable CSV (*plan lekcji* from aSc, VULCAN or a spreadsheet).

One row per weekly lesson of a class or of one of its groups (the format:
``docs/import-format.md``). ``parse`` checks the file on its own; ``plan`` matches the
rows against the school (classes, groups, subjects, teachers, rooms, the bell schedule)
and works out what replacing each class's plan from its date means: which entries end
the day before, which never started and go, which stay unchanged, which substitutions
and cancellations no longer apply, and every collision. Nothing here writes: the service
``timetable.services.timetable_import`` writes the plan this package builds, or nothing.

A package of topic modules; every public name stays importable from here: ``results``,
``parsing`` (the file on its own, the template), ``directory`` (the school's names),
``planning`` (the file against the school).
"""

from .directory import Directory
from .parsing import (
    COLUMN_ALIASES,
    COLUMNS,
    LIMITS,
    MAX_FILE_BYTES,
    TEMPLATE_ROWS,
    WEEKDAY_BY_NAME,
    WEEKDAYS,
    PlanRow,
    normalize_column,
    parse,
    parse_weekday,
    template_csv,
)
from .planning import plan
from .results import ClassPlan, TimetableImportResult

__all__ = [
    "COLUMNS",
    "COLUMN_ALIASES",
    "LIMITS",
    "MAX_FILE_BYTES",
    "TEMPLATE_ROWS",
    "WEEKDAYS",
    "WEEKDAY_BY_NAME",
    "ClassPlan",
    "Directory",
    "PlanRow",
    "TimetableImportResult",
    "normalize_column",
    "parse",
    "parse_weekday",
    "plan",
    "template_csv",
]
