"""Students and their classes, guardians and families. Each service takes the actor, runs
in one transaction and records what it writes in the history of changes, linked to the
student it concerns so the principal finds it on the student's history."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Enrolment, Family, Guardian, Guardianship, School, SchoolClass, Student
from . import recording
from .recording import require_office

if TYPE_CHECKING:
    from dziennik.accounts.models import User

# --- students ---------------------------------------------------------------------------

STUDENT_FIELDS = (
    "first_name",
    "second_name",
    "last_name",
    "birth_date",
    "birth_place",
    "pesel",
    "address",
    "external_id",
    "family",
    "user",
    "restricts_parent_view",
)


def _new_student(
    school: School,
    first_name: str,
    last_name: str,
    second_name: str,
    birth_date: datetime.date | None,
    birth_place: str,
    pesel: str,
    address: str,
    external_id: str,
    family: Family | None,
    user: User | None,
    restricts_parent_view: bool,
) -> Student:
    return Student(
        school=school,
        first_name=first_name,
        last_name=last_name,
        second_name=second_name,
        birth_date=birth_date,
        birth_place=birth_place,
        pesel=pesel,
        address=address,
        external_id=external_id,
        family=family,
        user=user,
        restricts_parent_view=restricts_parent_view,
    )


@transaction.atomic
def student_create(
    *,
    actor: User | None,
    school: School,
    first_name: str,
    last_name: str,
    second_name: str = "",
    birth_date: datetime.date | None = None,
    birth_place: str = "",
    pesel: str = "",
    address: str = "",
    external_id: str = "",
    family: Family | None = None,
    user: User | None = None,
    restricts_parent_view: bool = False,
) -> Student:
    """A student of the school, not yet in a class (``student_enrol`` puts them in one;
    ``student_admit`` does both)."""
    require_office(actor, school.pk)
    student = _new_student(
        school,
        first_name,
        last_name,
        second_name,
        birth_date,
        birth_place,
        pesel,
        address,
        external_id,
        family,
        user,
        restricts_parent_view,
    )
    return recording.create(actor, student)


@transaction.atomic
def student_admit(
    *,
    actor: User | None,
    school_class: SchoolClass,
    journal_number: int,
    start_date: datetime.date,
    first_name: str,
    last_name: str,
    second_name: str = "",
    birth_date: datetime.date | None = None,
    birth_place: str = "",
    pesel: str = "",
    address: str = "",
    external_id: str = "",
) -> Student:
    """Admit a new student into a class: the student and their enrolment with the journal
    number from ``start_date``. Both entries of the history name the class."""
    school = school_class.school
    require_office(actor, school.pk)
    student = _new_student(
        school,
        first_name,
        last_name,
        second_name,
        birth_date,
        birth_place,
        pesel,
        address,
        external_id,
        None,
        None,
        False,
    )
    recording.create(actor, student, school_class_id=school_class.pk)
    student_enrol(
        actor=actor,
        student=student,
        school_class=school_class,
        journal_number=journal_number,
        start_date=start_date,
    )
    return student


@transaction.atomic
def student_update(*, actor: User | None, student: Student, **changes) -> Student:
    """Change a student's record (``STUDENT_FIELDS``); their history stays with them."""
    require_office(actor, student.school_id)
    recording.update(actor, student, changes, editable=STUDENT_FIELDS)
    return student


@transaction.atomic
def student_delete(*, actor: User | None, student: Student) -> None:
    """Remove a student entered by mistake (a student with register history cannot be
    removed: the history protects them)."""
    require_office(actor, student.school_id)
    recording.delete(actor, student)


# --- enrolments -------------------------------------------------------------------------

ENROLMENT_FIELDS = ("school_class", "journal_number", "start_date", "end_date")


@transaction.atomic
def student_enrol(
    *,
    actor: User | None,
    student: Student,
    school_class: SchoolClass,
    journal_number: int,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> Enrolment:
    """Put a student into a class with a journal number from ``start_date``. A student
    is in one class at a time, and a journal number is one student's in a class; an
    ``end_date`` records a past enrolment."""
    require_office(actor, student.school_id)
    enrolment = Enrolment(
        student=student,
        school_class=school_class,
        journal_number=journal_number,
        start_date=start_date,
        end_date=end_date,
    )
    return recording.create(actor, enrolment)


def _current(student: Student) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(student=student, end_date__isnull=True)
        .select_related("student")
        .first()
    )
    if enrolment is None:
        raise ValidationError(
            _("%(student)s is not in any class.") % {"student": student.full_name},
            code="not_enrolled",
        )
    return enrolment


@transaction.atomic
def student_leave(*, actor: User | None, student: Student, on: datetime.date) -> Enrolment:
    """The student leaves their class on ``on`` (the enrolment ends; their records stay
    with them)."""
    require_office(actor, student.school_id)
    enrolment = _current(student)
    recording.update(actor, enrolment, {"end_date": on}, editable=("end_date",))
    return enrolment


@transaction.atomic
def student_transfer(
    *,
    actor: User | None,
    student: Student,
    school_class: SchoolClass,
    journal_number: int,
    on: datetime.date,
    starts_on: datetime.date | None = None,
) -> Enrolment:
    """Move a student to another class: the current enrolment ends on ``on`` and a new
    one starts on ``starts_on`` (``on`` by default) with the journal number given."""
    require_office(actor, student.school_id)
    current = _current(student)
    if current.school_class_id == school_class.pk:
        raise ValidationError(
            _("%(student)s is already in class %(class)s.")
            % {"student": student.full_name, "class": school_class.name},
            code="same_class",
        )
    student_leave(actor=actor, student=student, on=on)
    return student_enrol(
        actor=actor,
        student=student,
        school_class=school_class,
        journal_number=journal_number,
        start_date=starts_on or on,
    )


@transaction.atomic
def enrolment_update(*, actor: User | None, enrolment: Enrolment, **changes) -> Enrolment:
    """Correct an enrolment (``ENROLMENT_FIELDS``): its journal number, its dates, or the
    class it was entered in by mistake."""
    require_office(actor, enrolment.student.school_id)
    recording.update(actor, enrolment, changes, editable=ENROLMENT_FIELDS)
    return enrolment


@transaction.atomic
def enrolment_delete(*, actor: User | None, enrolment: Enrolment) -> None:
    require_office(actor, enrolment.student.school_id)
    recording.delete(actor, enrolment)


# Journal numbers are parked above any real one while a class is renumbered.
_PARKED = 20000


@transaction.atomic
def enrolment_renumber(
    *, actor: User | None, numbers: Sequence[tuple[Enrolment, int]]
) -> list[Enrolment]:
    """Give current enrolments new journal numbers at once (numbers may be swapped or
    shifted inside a class): each change is in the history, the order they are made in
    cannot collide."""
    for enrolment, _number in numbers:
        require_office(actor, enrolment.student.school_id)
    # Park every number first: a swap made one by one would collide half-way. The parked
    # values never outlive this transaction, so they are not history.
    for offset, (enrolment, _number) in enumerate(numbers):
        Enrolment.objects.filter(pk=enrolment.pk).update(journal_number=_PARKED + offset)
    for enrolment, number in numbers:
        recording.update(actor, enrolment, {"journal_number": number}, editable=("journal_number",))
    return [enrolment for enrolment, _number in numbers]


# --- guardians --------------------------------------------------------------------------

GUARDIAN_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "external_id",
    "family",
    "user",
)


def _about(student: Student | None) -> dict:
    """History links of a change made from a student's record (an import row)."""
    return {"student_id": student.pk} if student is not None else {}


@transaction.atomic
def guardian_create(
    *,
    actor: User | None,
    school: School,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    address: str = "",
    external_id: str = "",
    family: Family | None = None,
    user: User | None = None,
    for_student: Student | None = None,
) -> Guardian:
    """A parent or legal guardian. ``for_student``: the student whose record they are
    entered from, so that the entry shows on that student's history."""
    require_office(actor, school.pk)
    guardian = Guardian(
        school=school,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        address=address,
        external_id=external_id,
        family=family,
        user=user,
    )
    return recording.create(actor, guardian, **_about(for_student))


@transaction.atomic
def guardian_update(
    *, actor: User | None, guardian: Guardian, for_student: Student | None = None, **changes
) -> Guardian:
    """Change a guardian's record (``GUARDIAN_FIELDS``)."""
    require_office(actor, guardian.school_id)
    recording.update(actor, guardian, changes, editable=GUARDIAN_FIELDS, **_about(for_student))
    return guardian


@transaction.atomic
def guardian_delete(*, actor: User | None, guardian: Guardian) -> None:
    require_office(actor, guardian.school_id)
    recording.delete(actor, guardian)


GUARDIANSHIP_FIELDS = (
    "relation",
    "access",
    "court_order_reference",
    "court_order_date",
    "court_order_scope",
)


@transaction.atomic
def guardianship_create(
    *,
    actor: User | None,
    guardian: Guardian,
    student: Student,
    relation: str,
    access: str = Guardianship.Access.FULL,
    court_order_reference: str = "",
    court_order_date: datetime.date | None = None,
    court_order_scope: str = "",
) -> Guardianship:
    """Link a guardian to a student. Access is full unless a court order limits it, and
    then the order's reference is recorded (P-03)."""
    require_office(actor, student.school_id)
    link = Guardianship(
        guardian=guardian,
        student=student,
        relation=relation,
        access=access,
        court_order_reference=court_order_reference,
        court_order_date=court_order_date,
        court_order_scope=court_order_scope,
    )
    return recording.create(actor, link)


@transaction.atomic
def guardianship_update(
    *, actor: User | None, guardianship: Guardianship, **changes
) -> Guardianship:
    """Change a link (``GUARDIANSHIP_FIELDS``): the relation, or a court's limit."""
    require_office(actor, guardianship.student.school_id)
    recording.update(actor, guardianship, changes, editable=GUARDIANSHIP_FIELDS)
    return guardianship


@transaction.atomic
def guardianship_delete(*, actor: User | None, guardianship: Guardianship) -> None:
    require_office(actor, guardianship.student.school_id)
    recording.delete(actor, guardianship)


# --- families ---------------------------------------------------------------------------


@transaction.atomic
def family_create(*, actor: User | None, school: School, name: str) -> Family:
    """A family: siblings and their guardians, whose accounts are linked. Its members
    join it through ``student_update``/``guardian_update`` (``family=``)."""
    require_office(actor, school.pk)
    return recording.create(actor, Family(school=school, name=name))


@transaction.atomic
def family_update(*, actor: User | None, family: Family, **changes) -> Family:
    require_office(actor, family.school_id)
    recording.update(actor, family, changes, editable=("name",))
    return family


@transaction.atomic
def family_delete(*, actor: User | None, family: Family) -> None:
    """Dissolve a family (its members stay, without a family)."""
    require_office(actor, family.school_id)
    recording.delete(actor, family)
