"""What the school teaches and to whom: subjects, classes, groups and their members,
teaching assignments. Each service takes the actor, runs in one transaction and records
what it writes in the history of changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    ClassGroup,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    TeachingAssignment,
)
from ..viewer import get_viewer
from . import recording
from .recording import require_office

if TYPE_CHECKING:
    from dziennik.accounts.models import User

# --- subjects ---------------------------------------------------------------------------

SUBJECT_FIELDS = ("name", "short_name", "counts_towards_average")


@transaction.atomic
def subject_create(
    *,
    actor: User | None,
    school: School,
    name: str,
    short_name: str = "",
    counts_towards_average: bool = True,
) -> Subject:
    """A subject the school teaches; its name is unique in the school."""
    require_office(actor, school.pk)
    subject = Subject(
        school=school,
        name=name,
        short_name=short_name,
        counts_towards_average=counts_towards_average,
    )
    return recording.create(actor, subject)


@transaction.atomic
def subject_update(*, actor: User | None, subject: Subject, **changes) -> Subject:
    """Change a subject (``SUBJECT_FIELDS``)."""
    require_office(actor, subject.school_id)
    recording.update(actor, subject, changes, editable=SUBJECT_FIELDS)
    return subject


@transaction.atomic
def subject_delete(*, actor: User | None, subject: Subject) -> None:
    require_office(actor, subject.school_id)
    recording.delete(actor, subject)


# --- classes ----------------------------------------------------------------------------

SCHOOL_CLASS_FIELDS = ("school_year", "name", "level", "class_teacher")


def _check_class_teacher(actor: User | None, school_id: int, class_teacher: User | None) -> None:
    """The principal entrusts a class to its class teacher (*wychowawca*, Art. 120 of the
    Education Law): only the principal or a deputy (or the system) appoints or removes
    one, so that the office cannot make anyone, itself included, a class teacher with
    the powers over the class's accounts and justifications that come with it. The
    class teacher is a person of the class's school."""
    if actor is not None and not permissions.appoints_class_teachers(get_viewer(actor), school_id):
        raise PermissionDenied
    if class_teacher is not None and class_teacher.school_id != school_id:
        raise ValidationError(
            {"class_teacher": _("The class teacher is a teacher of the class's school.")}
        )


@transaction.atomic
def school_class_create(
    *,
    actor: User | None,
    school_year: SchoolYear,
    name: str,
    level: int,
    class_teacher: User | None = None,
    school: School | None = None,
) -> SchoolClass:
    """A class (*oddział*) of the school year, with its class teacher (a user of the
    school) if known. ``school`` is the year's; given, it must be."""
    require_office(actor, school_year.school_id)
    if class_teacher is not None:
        _check_class_teacher(actor, school_year.school_id, class_teacher)
    school_class = SchoolClass(
        school_id=school.pk if school is not None else school_year.school_id,
        school_year=school_year,
        name=name,
        level=level,
        class_teacher=class_teacher,
    )
    return recording.create(actor, school_class)


@transaction.atomic
def school_class_update(*, actor: User | None, school_class: SchoolClass, **changes) -> SchoolClass:
    """Change a class (``SCHOOL_CLASS_FIELDS``), e.g. give it a new class teacher."""
    require_office(actor, school_class.school_id)
    if "class_teacher" in changes and changes["class_teacher"] != school_class.class_teacher:
        _check_class_teacher(actor, school_class.school_id, changes["class_teacher"])
    recording.update(actor, school_class, changes, editable=SCHOOL_CLASS_FIELDS)
    return school_class


@transaction.atomic
def school_class_delete(*, actor: User | None, school_class: SchoolClass) -> None:
    """Remove a class set up by mistake (its enrolments, groups and assignments go with
    it; a class with register history cannot be removed)."""
    require_office(actor, school_class.school_id)
    recording.delete(actor, school_class)


# --- groups -----------------------------------------------------------------------------


def _check_members(group: ClassGroup, students: Iterable[Student]) -> list[Student]:
    students = list(students)
    if any(student.school_id != group.school_class.school_id for student in students):
        raise ValidationError(
            {"students": _("A group's students are students of its class's school.")}
        )
    return students


@transaction.atomic
def class_group_create(
    *,
    actor: User | None,
    school_class: SchoolClass,
    name: str,
    students: Iterable[Student] = (),
) -> ClassGroup:
    """A group of a class (a language or PE group), with its first members."""
    require_office(actor, school_class.school_id)
    group = ClassGroup(school_class=school_class, name=name)
    members = _check_members(group, students)
    recording.create(actor, group)
    recording.set_many(actor, group, "students", members)
    return group


@transaction.atomic
def class_group_update(
    *,
    actor: User | None,
    class_group: ClassGroup,
    students: Iterable[Student] | None = None,
    **changes,
) -> ClassGroup:
    """Rename a group and/or set its members (``students``: the whole new list; the
    history records the ids before and after)."""
    require_office(actor, class_group.school_class.school_id)
    recording.update(actor, class_group, changes, editable=("name",))
    if students is not None:
        recording.set_many(actor, class_group, "students", _check_members(class_group, students))
    return class_group


@transaction.atomic
def class_group_delete(*, actor: User | None, class_group: ClassGroup) -> None:
    require_office(actor, class_group.school_class.school_id)
    recording.delete(actor, class_group)


# --- teaching assignments ---------------------------------------------------------------

ASSIGNMENT_FIELDS = ("teacher", "subject", "school_class", "group")


@transaction.atomic
def teaching_assignment_create(
    *,
    actor: User | None,
    teacher: User,
    subject: Subject,
    school_class: SchoolClass,
    group: ClassGroup | None = None,
    school: School | None = None,
) -> TeachingAssignment:
    """Who teaches what to whom: ``teacher`` teaches ``subject`` to the class, or to one
    of its groups. Teacher, subject and class are of one school (``school``, if given)."""
    require_office(actor, school_class.school_id)
    assignment = TeachingAssignment(
        school_id=school.pk if school is not None else school_class.school_id,
        teacher=teacher,
        subject=subject,
        school_class=school_class,
        group=group,
    )
    return recording.create(actor, assignment)


@transaction.atomic
def teaching_assignment_update(
    *, actor: User | None, teaching_assignment: TeachingAssignment, **changes
) -> TeachingAssignment:
    """Change an assignment (``ASSIGNMENT_FIELDS``), e.g. hand it to another teacher."""
    require_office(actor, teaching_assignment.school_id)
    recording.update(actor, teaching_assignment, changes, editable=ASSIGNMENT_FIELDS)
    return teaching_assignment


@transaction.atomic
def teaching_assignment_delete(
    *, actor: User | None, teaching_assignment: TeachingAssignment
) -> None:
    require_office(actor, teaching_assignment.school_id)
    recording.delete(actor, teaching_assignment)
