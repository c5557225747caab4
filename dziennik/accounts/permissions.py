"""Who may manage whose account: one policy on ``User``, used by the selectors, the
services, the views and the administration panel.

Whose class accounts (logins and first passwords of a class's students and guardians)
someone manages is the class's ``manage`` rule (``dziennik.schools.permissions.classes``):
the class teacher and the school's office.
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import (
    Enrolment,
    Guardianship,
    SchoolClass,
    SchoolRole,
    TeachingAssignment,
)
from dziennik.schools.permissions import administers, classes, manages_school
from dziennik.schools.viewer import SCHOOL_WIDE_ROLES, Viewer

from .models import User

# The roles that make an account a staff account (a parents' council seat does not).
STAFF_ROLES = SCHOOL_WIDE_ROLES | {"teacher"}


class UserPolicy(Policy):
    """The accounts a viewer acts on.

    * ``manage``: the school's office (principal, deputy, secretary) manages every account
      of its school, except the system administrator's (the administration panel).
    * ``view_staff``: the same office sees the school's staff accounts (*konta
      pracowników*): the accounts of the school that hold a staff role there (not a
      parents' council seat alone), lead one of its classes or teach in it.
    * ``reset_password``: the class teacher resets the passwords of the students
      currently in their class and of those students' guardians with access (never a
      court-limited one); the office those of every account of the school. Never one's
      own account (that is the password change), never a superuser or Django-admin staff
      account, and never an account that itself holds a school-wide role: otherwise the
      secretary could take over the principal's account with a one-time password.
    """

    model = User
    actions = ("manage", "view_staff", "reset_password")

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not viewer.is_authenticated or viewer.school_id is None:
            return NOTHING
        if action == "reset_password":
            return self._resettable(viewer)
        if not manages_school(viewer):
            return NOTHING
        if action == "manage":
            return Q(school_id=viewer.school_id, is_superuser=False)
        return Q(school_id=viewer.school_id) & self._staff(viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: User) -> bool | None:
        if obj.school_id != viewer.school_id:
            return False
        if action == "manage":
            return manages_school(viewer) and not obj.is_superuser
        if action == "reset_password" and (
            obj.pk == viewer.user_id or obj.is_superuser or obj.is_staff
        ):
            return False
        return None

    @staticmethod
    def _staff(school_id: int) -> Q:
        roles = SchoolRole.objects.filter(school_id=school_id, role__in=STAFF_ROLES)
        teachers = TeachingAssignment.objects.filter(school_id=school_id)
        class_teachers = SchoolClass.objects.filter(
            school_id=school_id, class_teacher__isnull=False
        )
        return (
            Q(pk__in=roles.values("user_id"))
            | Q(pk__in=teachers.values("teacher_id"))
            | Q(pk__in=class_teachers.values("class_teacher_id"))
        )

    @staticmethod
    def _resettable(viewer: Viewer) -> Q:
        school = Q(school_id=viewer.school_id, is_superuser=False, is_staff=False) & ~Q(
            pk=viewer.user_id
        )
        school &= ~Q(
            pk__in=SchoolRole.objects.filter(
                school_id=viewer.school_id, role__in=SCHOOL_WIDE_ROLES
            ).values("user_id")
        )
        if viewer.is_school_wide:
            return school
        if not viewer.led_class_ids:
            return NOTHING
        students = Enrolment.objects.filter(
            school_class_id__in=viewer.led_class_ids,
            school_class__school_id=viewer.school_id,
            end_date__isnull=True,
        ).values("student_id")
        guardians = Guardianship.objects.filter(
            student_id__in=students,
            access=Guardianship.Access.FULL,
            student__restricts_parent_view=False,
        ).values("guardian_id")
        return school & (Q(student_profile__in=students) | Q(guardian_profile__in=guardians))


users = UserPolicy()


def can_manage_staff_accounts(viewer: Viewer) -> bool:
    """The school's office opens the staff accounts page (``users`` ``view_staff``)."""
    return viewer.is_authenticated and manages_school(viewer)


def can_manage_class_accounts(viewer: Viewer, school_class: SchoolClass) -> bool:
    """The class teacher of the class, or the school's office (``classes`` ``manage``)."""
    return classes.allows(viewer, "manage", school_class)


def may_administer_account(viewer: Viewer, user: User) -> bool:
    """Change or remove the account ``user`` in the administration panel: the system
    administrator, or the office of the account's school (``users`` ``manage``)."""
    return viewer.is_superuser or users.allows(viewer, "manage", user)


def may_open_account(viewer: Viewer, school_id: int | None) -> bool:
    """Create an account in the school ``school_id`` (``None``: no school)."""
    return administers(viewer, school_id)


def may_grant_privileges(viewer: Viewer) -> bool:
    """Make someone a superuser or give them Django groups and permissions: the system
    administrator only (a school's office never)."""
    return viewer.is_superuser
