"""Writes of grades: each service validates, writes in one transaction and records the
change in the history (``AuditEntry`` with ``student_id`` and ``school_class_id``).

One module per topic; every public name is importable from here.
"""

from .averages import recompute_school, refresh_average, refresh_averages, stored_value
from .classification import (
    behaviour_grade_set,
    behaviour_sheet_save,
    classification_grade_set,
    classification_sheet_save,
    proposals_publish,
    unclassified_details_set,
)
from .columns import (
    COLUMN_FIELDS,
    COLUMN_VALUE_FIELDS,
    assessment_create,
    assessment_delete,
    assessment_update,
    column_version,
)
from .current_grades import GRADE_FIELDS, grade_comment_set, grade_correct, grade_set
from .external import grade_set_by_system
from .grading import (
    DEFAULT_CATEGORIES,
    DEFAULT_MARKS,
    DEFAULT_POINT_SCALE,
    DEFAULT_THRESHOLDS,
    SETTINGS_FIELDS,
    comparisons_switch,
    grading_settings_update,
    grading_settings_version,
    grading_setup_defaults,
)
from .visits import VISIT_REFRESH, grade_visit_record, grade_visit_seen

__all__ = [
    "COLUMN_FIELDS",
    "COLUMN_VALUE_FIELDS",
    "DEFAULT_CATEGORIES",
    "DEFAULT_MARKS",
    "DEFAULT_POINT_SCALE",
    "DEFAULT_THRESHOLDS",
    "GRADE_FIELDS",
    "SETTINGS_FIELDS",
    "VISIT_REFRESH",
    "assessment_create",
    "assessment_delete",
    "assessment_update",
    "behaviour_grade_set",
    "behaviour_sheet_save",
    "classification_grade_set",
    "classification_sheet_save",
    "column_version",
    "comparisons_switch",
    "grade_comment_set",
    "grade_correct",
    "grade_set",
    "grade_set_by_system",
    "grade_visit_record",
    "grade_visit_seen",
    "grading_settings_update",
    "grading_settings_version",
    "grading_setup_defaults",
    "proposals_publish",
    "recompute_school",
    "refresh_average",
    "refresh_averages",
    "stored_value",
    "unclassified_details_set",
]
