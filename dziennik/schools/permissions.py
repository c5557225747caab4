"""Who may see and change the school's structure: the policies every other app builds on.

The rules for students and classes are the viewer's filters (``viewer.Viewer.student_filter``
and ``class_filter``): a parent sees their own children (full access only), a student
themself, a teacher the classes and groups they teach, a class teacher their class, the
principal, deputy and secretary their whole school, nobody another school.

The office of the school (principal, deputy principal, secretary) manages it: its
accounts, its import, its set-up in the administration panel. Among the office, a role
may grant or revoke only the roles below it (``grantable_roles``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy

from .models import Guardianship, School, SchoolClass, SchoolRole, Student
from .viewer import Viewer


def manages_school(viewer: Viewer) -> bool:
    """The principal, deputy principal or secretary of a school: they run its office
    (accounts, import, history, the administration panel)."""
    return viewer.is_authenticated and viewer.school_id is not None and viewer.is_school_wide


class SchoolPolicy(Policy):
    """``view``: one's own school. ``manage``: the school whose office one runs."""

    model = School
    actions = ("view", "manage")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not viewer.is_authenticated or viewer.school_id is None:
            return NOTHING
        if action == "manage" and not manages_school(viewer):
            return NOTHING
        return Q(pk=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: School) -> bool | None:
        if obj.pk != viewer.school_id:
            return False
        return action == "view" or manages_school(viewer)


class StudentPolicy(Policy):
    model = Student
    actions = ("view",)

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        return viewer.student_filter()

    def check(self, viewer: Viewer, action: str, obj: Student) -> bool | None:
        if obj.school_id != viewer.school_id:
            return False
        if viewer.is_school_wide or obj.pk in viewer.child_ids or obj.pk == viewer.student_id:
            return True
        return None  # a taught class or group: the enrolment decides

    def check_pk(self, viewer: Viewer, action: str, pk: int) -> bool | None:
        # the viewer's own children and the student themself: no query
        return True if pk in viewer.child_ids or pk == viewer.student_id else None


class SchoolClassPolicy(Policy):
    """``view``: open the class page. ``roster``: see the whole list of its students (a
    group's teacher sees only the group, a family only its own). ``manage``: the class
    teacher and the school's office, who manage the class (its students' accounts)."""

    model = SchoolClass
    actions = ("view", "roster", "manage")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if action == "view":
            return viewer.class_filter()
        if not viewer.is_authenticated or viewer.school_id is None:
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if viewer.is_school_wide:
            return school
        ids = viewer.led_class_ids
        if action == "roster":
            ids = ids | viewer.taught_class_ids
        return school & Q(pk__in=list(ids)) if ids else NOTHING

    def check(self, viewer: Viewer, action: str, obj: SchoolClass) -> bool | None:
        if obj.school_id != viewer.school_id:
            return False
        if viewer.is_school_wide:
            return True
        if action == "view":
            return True if obj.pk in viewer.teaching_class_ids else None
        if action == "roster":
            return obj.pk in (viewer.led_class_ids | viewer.taught_class_ids)
        return obj.pk in viewer.led_class_ids


class GuardianshipPolicy(Policy):
    """Who sees a student's guardians: staff who may see the student as staff see every
    link (the court-limited ones marked); a family sees its own students' links with
    access (a teacher's own child included, when they do not teach the child)."""

    model = Guardianship
    actions = ("view",)

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not viewer.is_authenticated or viewer.school_id is None:
            return NOTHING
        q = NOTHING
        if viewer.is_staff_member:
            # as staff: a teacher's own child they do not teach is a family's link here
            q |= viewer.as_staff.student_filter("student__")
        own = set(viewer.child_ids) | ({viewer.student_id} if viewer.student_id else set())
        if own:
            q |= Q(
                student_id__in=sorted(own),
                student__school_id=viewer.school_id,
                access=Guardianship.Access.FULL,
            )
        return q


# --- the administration panel and role grants -------------------------------------------

# How each model the administration panel shows reaches its school (a lookup ending at
# the school's id). Models are named by label: ``accounts`` sits above this app.
SCHOOL_LOOKUPS: dict[str, str] = {
    "schools.school": "pk",
    "schools.schoolyear": "school_id",
    "schools.term": "school_year__school_id",
    "schools.dayoff": "school_id",
    "schools.lessonslot": "school_id",
    "schools.subject": "school_id",
    "schools.schoolclass": "school_id",
    "schools.classgroup": "school_class__school_id",
    "schools.family": "school_id",
    "schools.student": "school_id",
    "schools.enrolment": "student__school_id",
    "schools.guardian": "school_id",
    "schools.guardianship": "student__school_id",
    "schools.schoolrole": "school_id",
    "schools.teachingassignment": "school_id",
    "accounts.user": "school_id",
}


def administers(viewer: Viewer, school_id: int | None) -> bool:
    """The viewer may set up the school ``school_id`` (its structure, people and roles):
    its office, or the system administrator for any school."""
    return viewer.is_superuser or (manages_school(viewer) and school_id == viewer.school_id)


def appoints_class_teachers(viewer: Viewer, school_id: int | None) -> bool:
    """The viewer may appoint the class teachers of the school ``school_id``: its
    principal or deputy principal (the principal's decision), or the system
    administrator; the secretary keeps the records but appoints nobody."""
    return viewer.is_superuser or (viewer.is_principal and school_id == viewer.school_id)


def administered_rows(viewer: Viewer, queryset: models.QuerySet) -> models.QuerySet:
    """The rows of ``queryset`` the viewer administers in the administration panel: those
    of the school whose office they run (every row for the system administrator)."""
    if viewer.is_superuser:
        return queryset
    lookup = SCHOOL_LOOKUPS.get(queryset.model._meta.label_lower)
    if lookup is None or not manages_school(viewer):
        return queryset.none()
    return queryset.filter(Q(**{lookup: viewer.school_id}))


# The office's order: a role may grant and revoke only the roles below it, so that a
# secretary cannot make herself (or anyone) principal.
ROLE_RANK: dict[str, int] = {
    SchoolRole.Role.COUNCIL_MEMBER: 0,
    SchoolRole.Role.TEACHER: 1,
    SchoolRole.Role.SECRETARY: 2,
    SchoolRole.Role.DEPUTY_PRINCIPAL: 3,
    SchoolRole.Role.PRINCIPAL: 4,
}


def grantable_roles(viewer: Viewer, school_id: int | None) -> frozenset[str]:
    """The roles the viewer may grant or revoke in the school ``school_id``: every role
    for the system administrator; for the school's office, the roles ranked below their
    own highest role; nothing for anyone else."""
    if viewer.is_superuser:
        return frozenset(ROLE_RANK)
    if not manages_school(viewer) or school_id != viewer.school_id:
        return frozenset()
    own = max(ROLE_RANK[role] for role in viewer.roles if role in ROLE_RANK)
    return frozenset(role for role, rank in ROLE_RANK.items() if rank < own)


schools = SchoolPolicy()
students = StudentPolicy()
classes = SchoolClassPolicy()
guardianships = GuardianshipPolicy()
