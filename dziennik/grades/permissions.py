"""Who may do what with grades: one policy per model that people read and write, used by
the views, the selectors and the services alike (``dziennik.core.policy``).

The rules:

* A **gradebook** is a class (or one of its groups) and a subject. Its columns
  (``Assessment``) and their grades are *graded* by a teacher assigned to teach the subject
  to the whole class, or to the column's group, and by the principal (or deputy). They are
  *viewed* by those and by the class teacher (*wychowawca*), who reads every subject of the
  class they lead.
* A **grade**, a **term or final grade** and a **behaviour grade** is *viewed* by whoever
  may see its student (``schools.permissions.students``). Proposed grades not yet
  published are shown to staff only, never on their own child's page
  (``sees_unpublished_proposals``).
* Term and final grades and their proposals of a subject are *set* by the principal or a
  teacher who teaches the subject in the class (to the whole class or to a group).
* Behaviour grades are *set* by the class teacher only (L-19); their sheet is read by the
  class teacher and the principal.
* The school's grading rules are managed by the principal.

Each rule is written once as a ``Q`` (which rows) with a no-query fast path where one
exists; a gradebook or a sheet that has no row yet (an empty gradebook, a class's sheet)
is checked by the same helpers with values in place of ``OuterRef``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import SchoolClass, TeachingAssignment
from dziennik.schools.permissions import students
from dziennik.schools.viewer import Viewer

from .models import (
    Assessment,
    AverageThreshold,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    GradeCategory,
    PointScaleStep,
    SpecialMark,
)

GRADEBOOK_ACTIONS = ("view", "grade")


# --- the rules as queries ----------------------------------------------------------------
def _subject_assignments(
    viewer: Viewer, *, school_class: Any, subject: Any
) -> QuerySet[TeachingAssignment]:
    """The viewer's assignments to teach ``subject`` in ``school_class`` (to the whole
    class or to a group). Values or ``OuterRef``s: the same rule checks one class and
    filters many rows."""
    return TeachingAssignment.objects.filter(
        teacher_id=viewer.user_id,
        school_id=viewer.school_id,
        school_class_id=school_class,
        subject_id=subject,
    )


def _grading_assignments(
    viewer: Viewer, *, school_class: Any, subject: Any, group: Any
) -> QuerySet[TeachingAssignment]:
    """The assignments that let the viewer grade a column of ``subject`` for ``group`` of
    ``school_class`` (``None``: the whole class): one for the whole class, or for that
    group. A whole-class column is not a group teacher's (``NULL = NULL`` is false)."""
    return _subject_assignments(viewer, school_class=school_class, subject=subject).filter(
        Q(group__isnull=True) | Q(group_id=group)
    )


def _school(viewer: Viewer, prefix: str = "") -> Q | None:
    if not viewer.is_authenticated or viewer.school_id is None:
        return None
    return Q(**{f"{prefix}school_id": viewer.school_id})


def _gradebook_q(viewer: Viewer, action: str, prefix: str = "") -> Q:
    """Rows with a class, a subject and a group (columns, teaching assignments; grades
    through ``prefix="assessment__"``) whose gradebook the viewer may ``action``."""
    school = _school(viewer, prefix)
    if school is None:
        return NOTHING
    if viewer.is_principal:
        return school
    graders = Q(
        Exists(
            _grading_assignments(
                viewer,
                school_class=OuterRef(f"{prefix}school_class_id"),
                subject=OuterRef(f"{prefix}subject_id"),
                group=OuterRef(f"{prefix}group_id"),
            )
        )
    )
    if action == "view":
        graders |= Q(**{f"{prefix}school_class_id__in": sorted(viewer.led_class_ids)})
    return school & graders


def _gradebook_check(viewer: Viewer, action: str, school_id: int, class_id: int) -> bool | None:
    """``_gradebook_q`` without a query where the viewer's sets decide."""
    if school_id != viewer.school_id:
        return False
    if viewer.is_principal or (action == "view" and class_id in viewer.led_class_ids):
        return True
    if class_id not in viewer.taught_class_ids | viewer.group_class_ids:
        return False
    return None  # which subject and group they teach: the assignments decide


def _own_student(viewer: Viewer, school_id: int, student_id: int) -> bool | None:
    """The students policy's fast path for rows about a student."""
    if school_id != viewer.school_id:
        return False
    if viewer.is_school_wide or student_id in viewer.child_ids or student_id == viewer.student_id:
        return True
    return None


# --- gradebooks ------------------------------------------------------------------------------
class _GradebookRule(Policy):
    """Columns and teaching assignments: the rows of one gradebook share its rule."""

    actions = GRADEBOOK_ACTIONS

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        return _gradebook_q(viewer, action)

    def check(self, viewer: Viewer, action: str, obj: Any) -> bool | None:
        return _gradebook_check(viewer, action, obj.school_id, obj.school_class_id)


class AssessmentPolicy(_GradebookRule):
    """A gradebook column: viewed and graded (its grades, its name, its deletion)."""

    model = Assessment


class GradebookPolicy(_GradebookRule):
    """The gradebooks of teaching assignments: the list of gradebooks a viewer may open."""

    model = TeachingAssignment


def has_own_grades(viewer: Viewer) -> bool:
    """Parents and students have grades of their own to open: their children's, theirs."""
    return viewer.is_parent or viewer.is_student


def has_gradebooks(viewer: Viewer) -> bool:
    """Teachers (class teachers included) and the principal have gradebooks to open:
    the nav entry and the list of gradebooks."""
    return viewer.is_teacher or viewer.is_principal


def can_grade(
    viewer: Viewer, *, school_class: SchoolClass, subject_id: int, group_id: int | None
) -> bool:
    """May the viewer grade in the gradebook of ``subject_id`` for ``school_class`` (or its
    group ``group_id``), columns or none: a teacher of it, or the principal."""
    fast = _gradebook_check(viewer, "grade", school_class.school_id, school_class.pk)
    if fast is not None or not viewer.is_authenticated:
        return bool(fast)
    return _grading_assignments(
        viewer, school_class=school_class.pk, subject=subject_id, group=group_id
    ).exists()


def can_view_gradebook(
    viewer: Viewer, *, school_class: SchoolClass, subject_id: int, group_id: int | None
) -> bool:
    """Those who grade, and the class teacher (who reads every subject of their class)."""
    fast = _gradebook_check(viewer, "view", school_class.school_id, school_class.pk)
    if fast is not None or not viewer.is_authenticated:
        return bool(fast)
    return can_grade(viewer, school_class=school_class, subject_id=subject_id, group_id=group_id)


# --- grades ------------------------------------------------------------------------------------
def is_own_student(viewer: Viewer, student_id: int) -> bool:
    """The student themself, or a child of the parent (with full access)."""
    return student_id in viewer.child_ids or student_id == viewer.student_id


def require_student_grades(viewer: Viewer, student_id: int) -> None:
    """404 unless the viewer may see the student's grades: whoever may see the student
    (``schools.permissions.students``); their own students without a query."""
    students.require_pk(viewer, student_id)


class GradePolicy(Policy):
    """A current grade: viewed by whoever sees the student, changed by who grades its column."""

    model = Grade
    actions = GRADEBOOK_ACTIONS

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if action == "view":
            return viewer.student_filter("student__")
        return _gradebook_q(viewer, action, prefix="assessment__")

    def check(self, viewer: Viewer, action: str, obj: Grade) -> bool | None:
        if action == "view":
            return _own_student(viewer, obj.school_id, obj.student_id)
        if obj.school_id != viewer.school_id:
            return False
        return True if viewer.is_principal else None


# --- term, final and behaviour grades -----------------------------------------------------
def _classifier_q(viewer: Viewer) -> Q:
    school = _school(viewer)
    if school is None:
        return NOTHING
    if viewer.is_principal:
        return school
    teaches = _subject_assignments(
        viewer, school_class=OuterRef("school_class_id"), subject=OuterRef("subject_id")
    )
    return school & Q(Exists(teaches))


def _classifier_check(viewer: Viewer, school_id: int, class_id: int) -> bool | None:
    if school_id != viewer.school_id:
        return False
    if viewer.is_principal:
        return True
    if class_id not in viewer.taught_class_ids | viewer.group_class_ids:
        return False
    return None


class ClassificationGradePolicy(Policy):
    """A term or final grade, or its proposal: viewed with the student (proposals not yet
    published: staff only, see ``sees_unpublished_proposals``), set by the subject's
    teachers in the class and the principal."""

    model = ClassificationGrade
    actions = ("view", "set")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if action == "view":
            return viewer.student_filter("student__")
        return _classifier_q(viewer)

    def check(self, viewer: Viewer, action: str, obj: ClassificationGrade) -> bool | None:
        if action == "view":
            return _own_student(viewer, obj.school_id, obj.student_id)
        return _classifier_check(viewer, obj.school_id, obj.school_class_id)


def can_classify(viewer: Viewer, *, school_class: SchoolClass, subject_id: int) -> bool:
    """May the viewer set the term and final grades of ``subject_id`` in ``school_class``
    (the sheet as a whole, with or without rows yet)."""
    fast = _classifier_check(viewer, school_class.school_id, school_class.pk)
    if fast is not None or not viewer.is_authenticated:
        return bool(fast)
    return _subject_assignments(viewer, school_class=school_class.pk, subject=subject_id).exists()


def sees_unpublished_proposals(viewer: Viewer, student_id: int) -> bool:
    """Proposed grades reach parents and students once published (or once their deadline
    has come); the school's staff see them as soon as they are entered. A member of
    staff who is the student's parent (or the student) sees the student's pages as the
    family does: as the child's teacher they see the proposals in the gradebook's
    classification sheet, not on the child's page."""
    return viewer.is_staff_member and not is_own_student(viewer, student_id)


class BehaviourGradePolicy(Policy):
    """A behaviour grade: viewed with the student, set by the class teacher (L-19)."""

    model = BehaviourGrade
    actions = ("view", "set")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if action == "view":
            return viewer.student_filter("student__")
        school = _school(viewer)
        if school is None:
            return NOTHING
        return school & Q(school_class_id__in=sorted(viewer.led_class_ids))

    def check(self, viewer: Viewer, action: str, obj: BehaviourGrade) -> bool | None:
        if action == "view":
            return _own_student(viewer, obj.school_id, obj.student_id)
        return obj.school_id == viewer.school_id and obj.school_class_id in viewer.led_class_ids


class BehaviourSheetPolicy(Policy):
    """A class's behaviour sheet: read by its class teacher and the principal, set by the
    class teacher only (L-19)."""

    model = SchoolClass
    actions = ("view", "set")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        school = _school(viewer)
        if school is None:
            return NOTHING
        if action == "view" and viewer.is_principal:
            return school
        return school & Q(pk__in=sorted(viewer.led_class_ids))

    def check(self, viewer: Viewer, action: str, obj: SchoolClass) -> bool | None:
        if obj.school_id != viewer.school_id:
            return False
        return obj.pk in viewer.led_class_ids or (action == "view" and viewer.is_principal)


def can_set_behaviour(viewer: Viewer, *, school_class: SchoolClass) -> bool:
    """Only the class teacher (*wychowawca*) sets behaviour grades (L-19)."""
    return behaviour_sheets.allows(viewer, "set", school_class)


# --- the school's rules ----------------------------------------------------------------------
def can_manage_rules(viewer: Viewer, *, school_id: int | None = None) -> bool:
    """The principal sets the school's grading rules and the comparison switch: their own
    school's (``school_id``, when given, must be it)."""
    if school_id is not None and school_id != viewer.school_id:
        return False
    return viewer.is_authenticated and viewer.is_principal


assessments = AssessmentPolicy()
gradebooks = GradebookPolicy()
grades = GradePolicy()
classification_grades = ClassificationGradePolicy()
behaviour_grades = BehaviourGradePolicy()
behaviour_sheets = BehaviourSheetPolicy()


# --- the school's rule tables (categories, special marks, point scale, thresholds) ---
class SchoolRulesPolicy(Policy):
    """A rule table of the school's statute (G-04…G-09): its principal manages the rows
    of their own school; nobody else sees them on the settings screens."""

    actions = ("manage",)

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not can_manage_rules(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj) -> bool | None:
        return can_manage_rules(viewer) and obj.school_id == viewer.school_id


class GradeCategoryPolicy(SchoolRulesPolicy):
    model = GradeCategory


class SpecialMarkPolicy(SchoolRulesPolicy):
    model = SpecialMark


class PointScaleStepPolicy(SchoolRulesPolicy):
    model = PointScaleStep


class AverageThresholdPolicy(SchoolRulesPolicy):
    model = AverageThreshold


grade_categories = GradeCategoryPolicy()
special_marks = SpecialMarkPolicy()
point_scale_steps = PointScaleStepPolicy()
average_thresholds = AverageThresholdPolicy()
