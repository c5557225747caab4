"""Who may see and decide a class's promotion list.

* The principal prepares the list, records the teachers' council's decision, confirms
  it and corrects it afterwards (``manage``).
* The principal, the school office (deputy, secretary) and the class's own class teacher
  (*wychowawca*) read it (``view``).
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import Policy
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import Viewer

NOTHING = Q(pk__in=[])


class PromotionClassPolicy(Policy):
    """A class as the subject of a promotion list."""

    model = SchoolClass
    actions = ("view", "manage")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not viewer.is_authenticated or viewer.school_id is None:
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if action == "manage":
            return school if viewer.is_principal else NOTHING
        if viewer.is_school_wide:
            return school
        return school & Q(pk__in=sorted(viewer.led_class_ids))

    def check(self, viewer: Viewer, action: str, obj: SchoolClass) -> bool | None:
        if not viewer.is_authenticated or obj.school_id != viewer.school_id:
            return False
        if action == "manage":
            return viewer.is_principal
        return viewer.is_school_wide or obj.pk in viewer.led_class_ids


promotion_classes = PromotionClassPolicy()


def can_manage(viewer: Viewer) -> bool:
    return viewer.is_authenticated and viewer.is_principal


def uses_promotion(viewer: Viewer) -> bool:
    """The principal, the school office and class teachers see the promotion lists."""
    return viewer.is_authenticated and (viewer.is_school_wide or viewer.is_class_teacher)
