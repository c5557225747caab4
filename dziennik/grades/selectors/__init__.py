"""Reads of grades, always through the viewer, in a fixed number of queries.

Averages are computed in Python from one query of the student's (or the class's) grades
with the school's ``Rules``; class and year statistics come from ``StudentAverage`` in
SQL and are withheld for groups of fewer than ``MIN_GROUP`` students.

One module per topic; every public name is importable from here.
"""

from .analytics import class_analytics
from .class_summary import ClassSummary, class_summary
from .classification import (
    BehaviourRow,
    BehaviourSheet,
    ClassificationRow,
    ClassificationSheet,
    SheetCell,
    behaviour_classes,
    behaviour_sheet,
    classification_sheet,
)
from .comparisons import MIN_GROUP
from .gradebook import (
    Gradebook,
    GridRow,
    cell_grade,
    cell_state,
    column_grade_count,
    get_assessment_for_grading,
    gradebook,
    gradebook_target,
    roster,
    teacher_gradebooks,
)
from .grading import (
    categories,
    entry_for,
    load_rules,
    pick_term,
    proposal_deadline,
    proposal_visible,
    settings_for,
    year_terms,
)
from .report import (
    AssessmentView,
    GradeRow,
    GradeView,
    StudentReport,
    SubjectReport,
    keep_parts,
    recent_grades,
    report_setup_key,
    student_entries,
    student_report,
)
from .visits import last_visit, remember_visit, visit_cache_key

__all__ = [
    "MIN_GROUP",
    "AssessmentView",
    "BehaviourRow",
    "BehaviourSheet",
    "ClassSummary",
    "ClassificationRow",
    "ClassificationSheet",
    "GradeRow",
    "GradeView",
    "Gradebook",
    "GridRow",
    "SheetCell",
    "StudentReport",
    "SubjectReport",
    "behaviour_classes",
    "behaviour_sheet",
    "categories",
    "cell_grade",
    "cell_state",
    "class_analytics",
    "class_summary",
    "classification_sheet",
    "column_grade_count",
    "entry_for",
    "get_assessment_for_grading",
    "gradebook",
    "gradebook_target",
    "keep_parts",
    "last_visit",
    "load_rules",
    "pick_term",
    "proposal_deadline",
    "proposal_visible",
    "recent_grades",
    "remember_visit",
    "report_setup_key",
    "roster",
    "settings_for",
    "student_entries",
    "student_report",
    "teacher_gradebooks",
    "visit_cache_key",
    "year_terms",
]
