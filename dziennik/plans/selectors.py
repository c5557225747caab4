"""Reads of the plans app, viewer-aware.

``entitlements_for(viewer, student, day)``: what the child's and the parents' accounts
may use on ``day`` – the free plan's entitlements, everything the law keeps free in the
statutory model (L-05), and every active access a purchase gave the child. Staff who may
see the student are never limited by a family's plan (all entitlements).
"""

from __future__ import annotations

import datetime

from django.http import Http404

from dziennik.schools.models import Student
from dziennik.schools.permissions import students as student_policy
from dziennik.schools.viewer import Viewer

from . import entitlements
from .models import Access, Plan, PlanSettings


def plan_settings_of(school_id: int) -> PlanSettings:
    """The school's settings; an unsaved default (statutory) when it has none."""
    found = PlanSettings.objects.filter(school_id=school_id).first()
    return found if found is not None else PlanSettings(school_id=school_id)


def free_entitlements(school_id: int, settings: PlanSettings) -> frozenset[str]:
    """What a basic account may use in the school (from anywhere)."""
    free = Plan.objects.filter(school_id=school_id, is_free=True).values_list(
        "entitlements", flat=True
    )
    found = set(free.first() or ())
    if settings.mode == PlanSettings.Mode.STATUTORY:
        found |= entitlements.FREE_BY_LAW
    return frozenset(found)


def is_family_of(viewer: Viewer, student_id: int) -> bool:
    return student_id in viewer.child_ids or student_id == viewer.student_id


def entitlements_for(viewer: Viewer, student: Student, day: datetime.date) -> frozenset[str]:
    """See the module's docstring; a viewer who may not see the student gets 404."""
    if student.school_id != viewer.school_id:
        raise Http404
    if not is_family_of(viewer, student.pk):
        student_policy.require(viewer, "view", student)
        return entitlements.ALL
    settings = plan_settings_of(student.school_id)
    found = set(free_entitlements(student.school_id, settings))
    paid = Access.objects.filter(student_id=student.pk, starts__lte=day, ends__gte=day)
    for granted in paid.values_list("entitlements", flat=True):
        found |= set(granted)
    return frozenset(found)
