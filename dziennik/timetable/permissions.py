"""Who may see and change the timetable: one place for the services, selectors and views.

The weekly plan (its entries), its day-to-day changes (substitutions, cancellations,
moves) and each class's plan are changed by the principal, deputy principal or
secretary of the school. They manage the school's structure (classes, the student
import, the Django admin), and the weekly plan is part of it. Teachers read the plan;
they change single occurrences only through the principal's substitutions page. Rooms
are seen by the school's staff. Every function takes the request's ``Viewer``.
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import Viewer

from .models import Room, TimetableChange, TimetableEntry


def can_manage_timetable(viewer: Viewer, *, school_id: int | None = None) -> bool:
    """The principal, deputy principal or secretary of the school (of ``school_id``,
    when given)."""
    if not viewer.is_authenticated or viewer.school_id is None or not viewer.is_school_wide:
        return False
    return school_id is None or school_id == viewer.school_id


def is_school_staff(viewer: Viewer) -> bool:
    """Members of staff: they have a week of their own lessons and see the school's rooms."""
    return viewer.is_authenticated and viewer.school_id is not None and viewer.is_staff_member


class _ManagedBySchool(Policy):
    """Rows of the school's plan: changed by whoever manages the school's timetable."""

    actions = ("manage",)

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not can_manage_timetable(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj) -> bool:
        return can_manage_timetable(viewer, school_id=obj.school_id)


class TimetableEntryPolicy(_ManagedBySchool):
    """A weekly lesson of the plan: ``manage`` (change it from a date, end it, record a
    change of one of its occurrences)."""

    model = TimetableEntry


class TimetableChangePolicy(_ManagedBySchool):
    """A substitution, cancellation or move of one lesson: ``manage`` (list, remove)."""

    model = TimetableChange


class ClassPlanPolicy(_ManagedBySchool):
    """A class's weekly plan: ``manage`` (open its editor, add a lesson to it)."""

    model = SchoolClass


class RoomPolicy(Policy):
    """A room of the school (*sala*): ``view`` (its week) by the school's staff;
    ``manage`` (add, rename, deactivate, delete an unused one) by those who manage the
    school's timetable."""

    model = Room
    actions = ("view", "manage")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        allowed = is_school_staff(viewer) if action == "view" else can_manage_timetable(viewer)
        if not allowed:
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: Room) -> bool:
        if action == "view":
            return is_school_staff(viewer) and obj.school_id == viewer.school_id
        return can_manage_timetable(viewer, school_id=obj.school_id)


entries = TimetableEntryPolicy()
changes = TimetableChangePolicy()
class_plans = ClassPlanPolicy()
rooms = RoomPolicy()
