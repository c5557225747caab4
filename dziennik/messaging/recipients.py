"""Who may write to whom (M-02): the people and the groups a viewer may address.

The defaults follow the issue and the usual statutes; the school changes the two that
vary (``MessagingSettings``):

* a **parent** writes to the teachers and the class teacher of each of their children's
  classes (a parent of two children: across both), the principal and deputy, the
  secretary (the school's administrator), the members of the parents' council, and to
  the groups "teachers of my child's class", "the parents' council" and "the school
  administration"; to other parents (of their children's classmates) only when the
  school allows it;
* a **student** writes to their teachers and their class teacher; to classmates only
  when the school allows it;
* a **teacher** writes to every member of staff, to the parents and students of the
  classes they teach or lead, and to those classes' groups (all parents, all students,
  all teachers of the class), to all staff, the council and the administration;
* the **school office** (principal, deputy, secretary) to everyone of the school and to
  every class's groups, and to all the school's parents.

A reply to a message one received always goes back to its sender (answering is never
refused); only new messages and forwards are checked against these rules.
Group members are worked out when the message fans out (``groups_members``), in the
message's school, active accounts only, never the sender.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core.policy import NOTHING
from dziennik.schools.models import (
    Enrolment,
    Guardianship,
    SchoolClass,
    SchoolRole,
    TeachingAssignment,
)
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import Viewer

from .models import MessagingSettings

STAFF_ROLES = ("teacher", "principal", "deputy_principal", "secretary")
OFFICE_ROLES = ("principal", "deputy_principal", "secretary")
# Group keys: a school-wide group, or "<kind>:<class id>".
COUNCIL = "council"
ADMINISTRATION = "administration"
STAFF = "staff"
SCHOOL_PARENTS = "school_parents"
CLASS_PARENTS = "class_parents"
CLASS_STUDENTS = "class_students"
CLASS_TEACHERS = "class_teachers"
CLASS_KINDS = (CLASS_PARENTS, CLASS_STUDENTS, CLASS_TEACHERS)


@dataclass(frozen=True)
class Group:
    key: str
    label: str


def settings_of(school_id: int) -> MessagingSettings:
    """The school's message settings, or the defaults (unsaved) when it has none."""
    found = MessagingSettings.objects.filter(school_id=school_id).first()
    return found or MessagingSettings(school_id=school_id)


def _family_student_ids(viewer: Viewer) -> set[int]:
    ids = set(viewer.child_ids)
    if viewer.student_id:
        ids.add(viewer.student_id)
    return ids


def _family_class_ids(viewer: Viewer) -> list[int]:
    family = _family_student_ids(viewer)
    if not family:
        return []
    return list(
        Enrolment.objects.filter(
            student_id__in=family, end_date__isnull=True, school_class__school_id=viewer.school_id
        ).values_list("school_class_id", flat=True)
    )


def _teachers_of(class_ids) -> Q:
    """Users who teach (the whole class or a group of it) or lead one of the classes."""
    return Q(
        pk__in=TeachingAssignment.objects.filter(school_class_id__in=class_ids).values("teacher_id")
    ) | Q(pk__in=SchoolClass.objects.filter(pk__in=class_ids).values("class_teacher_id"))


def _role_holders(school_id: int, roles) -> Q:
    return Q(
        pk__in=SchoolRole.objects.filter(school_id=school_id, role__in=roles).values("user_id")
    )


def _guardianships():
    """Guardianships that let the parent see the child (never a court-limited one, never
    an adult student who restricts their parents: ``Viewer.child_ids``)."""
    return Guardianship.objects.filter(
        access=Guardianship.Access.FULL, student__restricts_parent_view=False
    )


def _parents_of_classes(class_ids) -> Q:
    """The accounts of the guardians of the classes' current students."""
    return Q(
        pk__in=_guardianships()
        .filter(
            student__enrolments__school_class_id__in=class_ids,
            student__enrolments__end_date__isnull=True,
        )
        .values("guardian__user_id")
    )


def _students_of_classes(class_ids) -> Q:
    return Q(
        pk__in=Enrolment.objects.filter(
            school_class_id__in=class_ids, end_date__isnull=True
        ).values("student__user_id")
    )


def _all_parents(school_id: int) -> Q:
    return Q(
        pk__in=_guardianships().filter(student__school_id=school_id).values("guardian__user_id")
    )


def people_filter(viewer: Viewer) -> Q:
    """The users the viewer may write to, as a Q on ``User``."""
    if viewer.user_id is None or viewer.school_id is None:
        return NOTHING
    school = viewer.school_id
    q = NOTHING
    if viewer.is_school_wide:
        q |= Q(school_id=school)
    elif viewer.is_staff_member:
        classes = list(viewer.teaching_class_ids)
        q |= _role_holders(school, (*STAFF_ROLES, "council_member")) | _teachers_of(
            SchoolClass.objects.filter(school_id=school).values("pk")
        )
        if classes:
            q |= _parents_of_classes(classes) | _students_of_classes(classes)
    rules = None
    if viewer.is_parent:
        rules = settings_of(school)
        classes = _family_class_ids(viewer)
        q |= _teachers_of(classes) | _role_holders(school, (*OFFICE_ROLES, "council_member"))
        if rules.parents_write_to_parents and classes:
            q |= _parents_of_classes(classes)
    if viewer.is_student:
        rules = rules or settings_of(school)
        own = list(
            Enrolment.objects.filter(
                student_id=viewer.student_id, end_date__isnull=True
            ).values_list("school_class_id", flat=True)
        )
        q |= _teachers_of(own)
        if rules.students_write_to_students and own:
            q |= _students_of_classes(own)
    if viewer.is_council_member:
        q |= _role_holders(school, ("council_member",))
    return q & Q(school_id=school, is_active=True) & ~Q(pk=viewer.user_id)


def people(viewer: Viewer) -> QuerySet[User]:
    """The users the viewer may write to, by name."""
    return (
        User.objects.filter(pk__in=User.objects.filter(people_filter(viewer)).values("pk"))
        .only("pk", "first_name", "last_name", "username")
        .order_by("last_name", "first_name", "pk")
    )


def _classes_of(viewer: Viewer, class_ids=None) -> list[SchoolClass]:
    classes = SchoolClass.objects.filter(school_id=viewer.school_id)
    if class_ids is not None:
        classes = classes.filter(pk__in=list(class_ids))
    year = current_school_year(viewer.school_id)
    if year is not None:
        classes = classes.filter(school_year=year)
    return list(classes.only("pk", "name").order_by("level", "name"))


def groups(viewer: Viewer) -> list[Group]:
    """The groups the viewer may write to."""
    if viewer.user_id is None or viewer.school_id is None:
        return []
    found: list[Group] = []
    if viewer.is_staff_member:
        classes = _classes_of(viewer, None if viewer.is_school_wide else viewer.teaching_class_ids)
        for c in classes:
            found.append(Group(f"{CLASS_PARENTS}:{c.pk}", _("all parents of %s") % c.name))
            found.append(Group(f"{CLASS_STUDENTS}:{c.pk}", _("all students of %s") % c.name))
            found.append(Group(f"{CLASS_TEACHERS}:{c.pk}", _("all teachers of %s") % c.name))
        found.append(Group(STAFF, _("all staff")))
        if viewer.is_school_wide:
            found.append(Group(SCHOOL_PARENTS, _("all parents of the school")))
    elif viewer.is_parent:
        for c in _classes_of(viewer, _family_class_ids(viewer)):
            found.append(Group(f"{CLASS_TEACHERS}:{c.pk}", _("all teachers of %s") % c.name))
    if viewer.is_staff_member or viewer.is_parent:
        found.append(Group(COUNCIL, _("the parents' council")))
        found.append(Group(ADMINISTRATION, _("the school administration")))
    elif viewer.is_council_member:
        found.append(Group(COUNCIL, _("the parents' council")))
    return found


def groups_members(school_id: int, keys) -> Q:
    """The members of the groups ``keys`` (as a Q on ``User``), in ``school_id``."""
    q = NOTHING
    by_kind: dict[str, list[int]] = {}
    for key in keys:
        kind, _sep, number = key.partition(":")
        if kind in CLASS_KINDS and re.fullmatch(r"[0-9]{1,18}", number):
            by_kind.setdefault(kind, []).append(int(number))
        elif key == COUNCIL:
            q |= _role_holders(school_id, ("council_member",))
        elif key == ADMINISTRATION:
            q |= _role_holders(school_id, ("secretary",))
        elif key == STAFF:
            q |= _role_holders(school_id, STAFF_ROLES) | Q(
                pk__in=SchoolClass.objects.filter(school_id=school_id).values("class_teacher_id")
            )
        elif key == SCHOOL_PARENTS:
            q |= _all_parents(school_id)
    for kind, ids in by_kind.items():
        classes = SchoolClass.objects.filter(school_id=school_id, pk__in=ids).values("pk")
        if kind == CLASS_PARENTS:
            q |= _parents_of_classes(classes)
        elif kind == CLASS_STUDENTS:
            q |= _students_of_classes(classes)
        else:
            q |= _teachers_of(classes)
    return q & Q(school_id=school_id, is_active=True)
