"""The checks across rows of the file, and matching the file against the register: which
students and classes exist already, and whether the file fits with them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Enrolment, School, SchoolClass, SchoolYear, Student
from .result import ImportResult
from .rows import StudentRow


def check_rows(rows: list[StudentRow], result: ImportResult) -> None:
    """Rules across rows: one journal number per class, each student once, one level."""
    numbers: dict[tuple[str, int], int] = {}
    external_ids: dict[str, int] = {}
    names: dict[tuple, int] = {}
    levels: dict[str, tuple[int, int]] = {}
    by_line = {row.line: row for row in rows}
    for row in rows:
        first = numbers.setdefault((row.class_key, row.journal_number), row.line)
        if first != row.line:
            result.error(
                row.line,
                _("Journal number %(number)s in class %(class)s is already used in line %(line)s.")
                % {"number": row.journal_number, "class": row.class_name, "line": first},
            )
        if row.external_id:
            first = external_ids.setdefault(row.external_id, row.line)
            if first != row.line:
                result.error(
                    row.line,
                    _("The same student (identifier %(id)s) is already in line %(line)s.")
                    % {"id": row.external_id, "line": first},
                )
        first = names.setdefault(row.name_key, row.line)
        first_row = by_line.get(first)
        if first != row.line and not (row.external_id and first_row.external_id):
            result.error(
                row.line,
                _("The same student (same name and date of birth) is already in line %(line)s.")
                % {"line": first},
            )
        level_line = levels.setdefault(row.class_key, (row.level, row.line))
        if level_line[0] != row.level:
            result.error(
                row.line,
                _("Class %(class)s has level %(level)s in line %(line)s.")
                % {"class": row.class_name, "level": level_line[0], "line": level_line[1]},
            )


# --- matching against the database -------------------------------------------------


@dataclass
class Plan:
    school: School
    year: SchoolYear
    rows: list[StudentRow]
    students: dict[int, Student | None]  # line → matched student
    classes: dict[str, SchoolClass]  # class key → existing class of the year


def match(school: School, year: SchoolYear, rows: list[StudentRow], result: ImportResult) -> Plan:
    existing = list(Student.objects.filter(school=school))
    by_external = {s.external_id: s for s in existing if s.external_id}
    by_name: dict[tuple, list[Student]] = {}
    for student in existing:
        if student.birth_date is not None:
            key = (student.first_name.casefold(), student.last_name.casefold(), student.birth_date)
            by_name.setdefault(key, []).append(student)

    matched: dict[int, Student | None] = {}
    taken_by: dict[int, int] = {}
    for row in rows:
        student = by_external.get(row.external_id) if row.external_id else None
        if student is None:
            candidates = [
                s for s in by_name.get(row.name_key, []) if not s.external_id or not row.external_id
            ]
            if len(candidates) > 1:
                result.error(
                    row.line,
                    _(
                        "%(count)s students of the school have this name and date of birth; "
                        "give the student identifier (id_ucznia) to tell them apart."
                    )
                    % {"count": len(candidates)},
                )
                continue
            student = candidates[0] if candidates else None
        if student is not None:
            first = taken_by.setdefault(student.pk, row.line)
            if first != row.line:
                result.error(
                    row.line,
                    _("Line %(line)s already refers to the same student.") % {"line": first},
                )
                continue
        matched[row.line] = student

    classes = {
        c.name.casefold(): c for c in SchoolClass.objects.filter(school=school, school_year=year)
    }
    # After the import a class holds the file's students plus those already enrolled whom
    # the file does not mention; their journal numbers must not collide.
    mentioned = {s.pk for s in matched.values() if s is not None}
    staying = (
        Enrolment.objects.filter(school_class__in=classes.values(), end_date__isnull=True)
        .exclude(student_id__in=mentioned)
        .select_related("student")
    )
    occupied = {(e.school_class.name.casefold(), e.journal_number): e.student for e in staying}
    for row in rows:
        holder = occupied.get((row.class_key, row.journal_number))
        if holder is not None:
            result.error(
                row.line,
                _(
                    "Journal number %(number)s in class %(class)s already belongs to "
                    "%(student)s, who is not in the file."
                )
                % {"number": row.journal_number, "class": row.class_name, "student": holder},
            )
    return Plan(school=school, year=year, rows=rows, students=matched, classes=classes)
