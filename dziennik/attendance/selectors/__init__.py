"""Reads of the lesson register, always through the viewer, with fixed query counts.

A package of topic modules; every public name stays importable from here:
``dziennik.attendance.config`` (the school's settings, kinds, year and terms),
``lessons`` (lessons, rosters, sheets), ``statistics`` (tallies, class and school
figures, the monthly sheet), ``students`` (one student's marks and pages),
``justifications`` and ``alerts``. Who may see what is ``permissions``.
"""

from ..config import (
    active_kinds,
    default_kind,
    kinds_by_id,
    settings_for,
    year_and_terms,
)
from .alerts import alerts_for_classes, alerts_for_students, recent_absences, student_alerts
from .justifications import (
    get_justification_for,
    justification_marks,
    justification_queryset,
    justifications_to_decide,
)
from .lessons import (
    RosterRow,
    get_lesson_for,
    lesson_attendee_ids,
    lesson_label,
    lesson_queryset,
    lesson_roster,
    lesson_sheet,
    lessons_by_occurrence,
    lessons_missing,
    previous_lesson,
    student_names,
)
from .notices import notices_for_lesson, notices_to_know, student_notices
from .statistics import (
    Tally,
    class_statistics,
    month_sheet,
    percent,
    school_statistics,
    student_statistics,
    tally,
    term_case,
)
from .student_page import (
    PageSetup,
    page_setup,
    page_setup_key,
    student_page,
    student_page_parts,
)
from .students import (
    JustificationDeadline,
    current_class_ids,
    justifiable_marks,
    justification_deadline,
    lessons_with_topics,
    overdue_marks_count,
    student_day_grid,
    student_justifications,
    student_marks,
    student_page_rows,
)

__all__ = [
    "JustificationDeadline",
    "PageSetup",
    "RosterRow",
    "Tally",
    "active_kinds",
    "alerts_for_classes",
    "alerts_for_students",
    "class_statistics",
    "current_class_ids",
    "default_kind",
    "get_justification_for",
    "get_lesson_for",
    "justifiable_marks",
    "justification_deadline",
    "justification_marks",
    "justification_queryset",
    "justifications_to_decide",
    "kinds_by_id",
    "lesson_attendee_ids",
    "lesson_label",
    "lesson_queryset",
    "lesson_roster",
    "lesson_sheet",
    "lessons_by_occurrence",
    "lessons_missing",
    "lessons_with_topics",
    "month_sheet",
    "notices_for_lesson",
    "notices_to_know",
    "overdue_marks_count",
    "page_setup",
    "page_setup_key",
    "percent",
    "previous_lesson",
    "recent_absences",
    "school_statistics",
    "settings_for",
    "student_alerts",
    "student_day_grid",
    "student_justifications",
    "student_marks",
    "student_names",
    "student_notices",
    "student_page",
    "student_page_parts",
    "student_page_rows",
    "student_statistics",
    "tally",
    "term_case",
    "year_and_terms",
]
