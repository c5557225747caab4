"""Who may change the timetable: one place for the services, selectors and views."""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.viewer import Viewer, get_viewer

from .models import Room


def can_manage_timetable(viewer, *, school_id: int | None = None) -> bool:
    """The principal, deputy principal or secretary of the school.

    They manage the school's structure (classes, the student import, the Django admin),
    and the weekly plan is part of it. Teachers read the plan; they change single
    occurrences only through the principal's substitutions page.
    """
    v = get_viewer(viewer)
    if not v.is_authenticated or v.school_id is None or not v.is_school_wide:
        return False
    return school_id is None or school_id == v.school_id


class RoomPolicy(Policy):
    """The school's rooms (*sale*): those who manage its timetable add, rename and
    deactivate them."""

    model = Room
    actions = ("manage",)

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not can_manage_timetable(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: Room) -> bool | None:
        return can_manage_timetable(viewer, school_id=obj.school_id)


rooms = RoomPolicy()
