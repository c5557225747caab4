"""Who may do what with grades: one place for the web views and any future API."""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import TeachingAssignment
from dziennik.schools.viewer import Viewer, get_viewer

from .models import AverageThreshold, GradeCategory, PointScaleStep, SpecialMark


def can_grade(viewer, *, school_class, subject_id: int, group_id: int | None) -> bool:
    """A teacher who teaches this class (or group) this subject, or the principal."""
    v = get_viewer(viewer)
    if not v.is_authenticated or school_class.school_id != v.school_id:
        return False
    if v.is_principal:
        return True
    if school_class.pk not in (v.taught_class_ids | v.group_class_ids):
        return False
    target = Q(group__isnull=True)
    if group_id is not None:
        target |= Q(group_id=group_id)
    return TeachingAssignment.objects.filter(
        target,
        teacher_id=v.user_id,
        school_id=v.school_id,
        school_class_id=school_class.pk,
        subject_id=subject_id,
    ).exists()


def can_view_gradebook(viewer, *, school_class, subject_id: int, group_id: int | None) -> bool:
    """Those who grade, and the class teacher (who reads every subject of their class)."""
    v = get_viewer(viewer)
    if not v.is_authenticated or school_class.school_id != v.school_id:
        return False
    if v.leads_class(school_class.pk):
        return True
    return can_grade(v, school_class=school_class, subject_id=subject_id, group_id=group_id)


def can_set_behaviour(viewer, *, school_class) -> bool:
    """Only the class teacher (*wychowawca*) sets behaviour grades (L-19)."""
    v = get_viewer(viewer)
    return (
        v.is_authenticated
        and school_class.school_id == v.school_id
        and v.leads_class(school_class.pk)
    )


def can_manage_rules(viewer) -> bool:
    """The principal sets the school's grading rules and the comparison switch."""
    v = get_viewer(viewer)
    return v.is_authenticated and v.is_principal


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
