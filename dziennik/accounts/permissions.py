"""Who may manage whose account. Used by the selectors, the services and the views."""

from __future__ import annotations

from django.db.models import Q

from dziennik.schools.models import (
    Enrolment,
    Guardianship,
    SchoolClass,
    SchoolRole,
    TeachingAssignment,
)
from dziennik.schools.viewer import NOTHING, SCHOOL_WIDE_ROLES, Viewer, get_viewer

# The roles that make an account a staff account (a parents' council seat does not).
STAFF_ROLES = SCHOOL_WIDE_ROLES | {"teacher"}


def can_manage_class_accounts(viewer: Viewer, school_class) -> bool:
    """The class teacher of the class, or the principal, deputy or secretary of its school."""
    v = get_viewer(viewer)
    if not v.is_authenticated or school_class.school_id != v.school_id:
        return False
    return v.is_school_wide or v.leads_class(school_class.pk)


def managed_class_filter(viewer: Viewer, prefix: str = "") -> Q:
    """A Q on SchoolClass: the classes whose accounts the viewer manages."""
    v = get_viewer(viewer)
    if not v.is_authenticated or v.school_id is None:
        return NOTHING
    school = Q(**{f"{prefix}school_id": v.school_id})
    if v.is_school_wide:
        return school
    return school & Q(**{f"{prefix}pk__in": list(v.led_class_ids)})


def can_manage_staff_accounts(viewer: Viewer) -> bool:
    """The principal, deputy or secretary: the office that manages every account of the
    school (the same rule as for the class account pages and for password resets)."""
    v = get_viewer(viewer)
    return v.is_authenticated and v.school_id is not None and v.is_school_wide


def staff_user_filter(viewer: Viewer) -> Q:
    """A Q on User: the staff accounts of the viewer's school, for those who manage them.

    Staff are the accounts of the school that hold a staff role there (not a parents'
    council seat alone), lead one of its classes or teach in it: a class teacher or a
    teacher with assignments need not hold the teacher role.
    """

    v = get_viewer(viewer)
    if not can_manage_staff_accounts(v):
        return NOTHING
    roles = SchoolRole.objects.filter(school_id=v.school_id, role__in=STAFF_ROLES)
    teachers = TeachingAssignment.objects.filter(school_id=v.school_id)
    class_teachers = SchoolClass.objects.filter(school_id=v.school_id, class_teacher__isnull=False)
    return Q(school_id=v.school_id) & (
        Q(pk__in=roles.values("user_id"))
        | Q(pk__in=teachers.values("teacher_id"))
        | Q(pk__in=class_teachers.values("class_teacher_id"))
    )


def resettable_user_filter(viewer: Viewer) -> Q:
    """A Q on User: the accounts whose password the viewer may reset.

    The class teacher: the students currently in their class and those students'
    guardians with access (never a court-limited one). The principal, deputy and
    secretary: every account of their school. Never one's own account (that is the
    password change), never a superuser or Django-admin staff account, and never an
    account that itself holds a school-wide role: otherwise the secretary could take
    over the principal's account with a one-time password.
    """

    v = get_viewer(viewer)
    if not v.is_authenticated or v.school_id is None:
        return NOTHING
    school = Q(school_id=v.school_id, is_superuser=False, is_staff=False) & ~Q(pk=v.user_id)
    school &= ~Q(
        pk__in=SchoolRole.objects.filter(school_id=v.school_id, role__in=SCHOOL_WIDE_ROLES).values(
            "user_id"
        )
    )
    if v.is_school_wide:
        return school
    if not v.led_class_ids:
        return NOTHING
    students = Enrolment.objects.filter(
        school_class_id__in=v.led_class_ids,
        school_class__school_id=v.school_id,
        end_date__isnull=True,
    ).values("student_id")
    guardians = Guardianship.objects.filter(
        student_id__in=students,
        access=Guardianship.Access.FULL,
        student__restricts_parent_view=False,
    ).values("guardian_id")
    return school & (Q(student_profile__in=students) | Q(guardian_profile__in=guardians))
