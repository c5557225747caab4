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
from dziennik.schools.permissions import ROLE_RANK, administers, classes, manages_school
from dziennik.schools.viewer import SCHOOL_WIDE_ROLES, Viewer

from .models import User

# The roles that make an account a staff account (a parents' council seat does not).
STAFF_ROLES = SCHOOL_WIDE_ROLES | {"teacher"}


class UserPolicy(Policy):
    """The accounts a viewer acts on.

    Accounts are ranked by the highest role their holder has in the office
    (``schools.permissions.ROLE_RANK``: principal, deputy principal, secretary, teacher):
    nobody acts on the account of someone ranked at or above them, so that nobody takes
    over an account worth more than their own.

    * ``view``: the school's office (principal, deputy, secretary) sees every account of
      its school, except the system administrator's (the administration panel's list).
    * ``manage`` (rename, deactivate, remove, set in the administration panel): the
      office, for the accounts of its school whose holder ranks below their own highest
      role. Never the system administrator's, never one's own (one's own password is
      the password change page), never that of someone ranked at or above: a secretary
      does not deactivate or rename the principal, another secretary or herself.
    * ``view_staff``: the office sees the school's staff accounts (*konta pracowników*):
      the accounts of the school that hold a staff role there (not a parents' council
      seat alone), lead one of its classes or teach in it.
    * ``reset_password`` (a new one-time password, one by one or by regenerating a
      class's letters; setting a password in the administration panel): a family's
      accounts are reset by those who look after families, staff accounts by those who
      rank above them:

      - the class teacher: the accounts that are nothing but those of the students now
        in their class or of those students' guardians with access (never a
        court-limited one): no staff role (a parents' council seat is none), no teaching
        assignment, no class led, no Django-admin flag, in any school. A teacher who is
        also a parent in the class is a colleague, not a parent, here;
      - the secretary: the accounts that are nothing but a student's or a guardian's of
        the school (the same test), and no staff account: the principal's rule decides
        on staff accounts;
      - the principal and a deputy: besides those, every account of the school whose
        holder ranks below their own role (a deputy resets the secretary's and the
        teachers', the principal also the deputies'), Django-admin flag or not.

      Never one's own account, never a superuser's, never another school's.
    * ``reset_second_factor`` (remove a lost authenticator app and passkeys): the
      principal, for the school's staff accounts (``view_staff``) other than their own;
      never a superuser's, never another school's.
    """

    model = User
    actions = ("view", "manage", "view_staff", "reset_password", "reset_second_factor")

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not viewer.is_authenticated or viewer.school_id is None:
            return NOTHING
        if action == "reset_password":
            return self._resettable(viewer)
        if action == "reset_second_factor":
            if not viewer.is_principal:
                return NOTHING
            return (
                Q(school_id=viewer.school_id, is_superuser=False)
                & ~Q(pk=viewer.user_id)
                & self._staff(viewer.school_id)
            )
        if not manages_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id, is_superuser=False)
        if action == "view":
            return school
        if action == "manage":
            return school & ~Q(pk=viewer.user_id) & ~_ranked_from(_rank(viewer))
        return Q(school_id=viewer.school_id) & self._staff(viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: User) -> bool | None:
        if obj.school_id != viewer.school_id:
            return False
        if action == "view":
            return manages_school(viewer) and not obj.is_superuser
        if action in ("manage", "reset_password", "reset_second_factor") and (
            obj.pk == viewer.user_id or obj.is_superuser
        ):
            return False
        if action == "manage" and not manages_school(viewer):
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
        school = Q(school_id=viewer.school_id, is_superuser=False) & ~Q(pk=viewer.user_id)
        families = NOTHING
        if viewer.is_school_wide:
            families = _family_accounts(viewer.school_id)
        elif viewer.led_class_ids:
            families = _class_family_accounts(viewer)
        q = families & _nothing_but_family()
        if viewer.is_principal:
            q |= ~_ranked_from(_rank(viewer))
        return school & q


def _rank(viewer: Viewer) -> int:
    """The viewer's highest rank in the office (``ROLE_RANK``; -1 without a ranked role)."""
    return max((ROLE_RANK[role] for role in viewer.roles if role in ROLE_RANK), default=-1)


def _ranked_from(rank: int) -> Q:
    """Accounts holding a role ranked ``rank`` or higher (in any school)."""
    roles = [role for role, role_rank in ROLE_RANK.items() if role_rank >= rank]
    return Q(pk__in=SchoolRole.objects.filter(role__in=roles).values("user_id"))


def _nothing_but_family() -> Q:
    """Accounts that are no staff account anywhere: no staff role, no teaching
    assignment, no class led, no Django-admin flag (``NOT IN`` subqueries without
    ``NULL``s)."""
    return (
        Q(is_staff=False)
        & ~Q(pk__in=SchoolRole.objects.filter(role__in=STAFF_ROLES).values("user_id"))
        & ~Q(pk__in=TeachingAssignment.objects.values("teacher_id"))
        & ~Q(
            pk__in=SchoolClass.objects.filter(class_teacher__isnull=False).values(
                "class_teacher_id"
            )
        )
    )


def _family_accounts(school_id: int) -> Q:
    """The accounts of the school's students and guardians."""
    return Q(student_profile__school_id=school_id) | Q(guardian_profile__school_id=school_id)


def _class_family_accounts(viewer: Viewer) -> Q:
    """The accounts of the students now in the viewer's classes and of their guardians
    with access."""
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
    return Q(student_profile__in=students) | Q(guardian_profile__in=guardians)


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


def may_set_password(viewer: Viewer, user: User) -> bool:
    """Set or disable the password of ``user`` in the administration panel: the system
    administrator, or whoever may reset it (``users`` ``reset_password``): choosing a
    password for someone is a reset whose password the resetter knows."""
    return viewer.is_superuser or users.allows(viewer, "reset_password", user)


def may_open_account(viewer: Viewer, school_id: int | None) -> bool:
    """Create an account in the school ``school_id`` (``None``: no school)."""
    return administers(viewer, school_id)


def may_grant_privileges(viewer: Viewer) -> bool:
    """Make someone a superuser or give them Django groups and permissions: the system
    administrator only (a school's office never)."""
    return viewer.is_superuser
