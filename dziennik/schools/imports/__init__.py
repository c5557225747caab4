"""CSV import of classes, students and guardians (the secretary's start-of-year import).

One row per student, with up to two guardians (the format: ``docs/import-format.md``).
The import is all or nothing: the file is parsed and every row checked first
(``parsing``, ``validation``); any bad row means nothing is written and every bad row is
reported with its line number and reason. A good file is written in one transaction
through the school services (``writing``), each change recorded in the history.
Re-importing the same file changes nothing: students are matched by their import
identifier (or by name and date of birth), guardians by name together with e-mail, phone
or an existing link to the student.
"""

from .columns import COLUMNS, MAX_FILE_BYTES, normalize_column, template_csv
from .parsing import normalize_phone, parse, pesel_birth_date
from .result import KINDS, Counts, ImportResult
from .students import students_import

__all__ = [
    "COLUMNS",
    "KINDS",
    "MAX_FILE_BYTES",
    "Counts",
    "ImportResult",
    "normalize_column",
    "normalize_phone",
    "parse",
    "pesel_birth_date",
    "students_import",
    "template_csv",
]
