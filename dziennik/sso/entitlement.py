"""The leaflet's e-learning offer: a platform the school marked "needs the e-learning
entitlement" (``Platform.needs_elearning``) lets a family in – its single sign-on and
its presence in the platform's roster – only while the family has the ``elearning``
entitlement of its access plan (``plans``: the free plan's entitlements and the child's
active accesses; the offer's 30-day window is the plans' own rule when it is bought).
Staff are never limited by it; a platform not marked lets everyone its roles allow.
"""

from __future__ import annotations

import datetime

from dziennik.plans import entitlements
from dziennik.plans import selectors as plans_selectors
from dziennik.plans.models import Access
from dziennik.schools.models import Student
from dziennik.schools.viewer import Viewer

from .models import Platform

FAMILY_ROLES = frozenset({"parent", "student"})


def entitled_student_ids(
    platform: Platform | None, student_ids: set[int], day: datetime.date
) -> set[int] | None:
    """Which of the students (of the platform's school) the platform may roster, with
    their guardians; None when it limits nobody. Two queries whatever the number of
    students: the same rule as ``plans.selectors.entitlements_for`` for a family,
    for the whole school at once."""
    if platform is None or not platform.needs_elearning:
        return None
    settings = plans_selectors.plan_settings_of(platform.school_id)
    if entitlements.ELEARNING in plans_selectors.free_entitlements(platform.school_id, settings):
        return set(student_ids)
    paid = Access.objects.filter(
        student_id__in=student_ids, starts__lte=day, ends__gte=day
    ).values_list("student_id", "entitlements")
    return {student_id for student_id, granted in paid if entitlements.ELEARNING in granted}


def family_kept_out(platform: Platform, viewer: Viewer, roles: list[str], day) -> bool:
    """Whether a person who logs in only as a family member (parent, student) is kept
    out of the platform for want of the entitlement: none of their own students (their
    children, themselves) has it on ``day``."""
    if not platform.needs_elearning or not roles or set(roles) - FAMILY_ROLES:
        return False
    own = set(viewer.child_ids) | ({viewer.student_id} if viewer.student_id else set())
    students = Student.objects.filter(pk__in=own, school_id=platform.school_id)
    return not any(
        entitlements.ELEARNING in plans_selectors.entitlements_for(viewer, student, day)
        for student in students
    )
