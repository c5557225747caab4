"""Writes to students' subject exemptions (*zwolnienia z zajęć*, A-04): by whoever
``permissions`` lets exempt the student (the principal, the class teacher)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit
from dziennik.core.text import clean_text
from dziennik.schools.models import Student, Subject
from dziennik.schools.viewer import get_viewer

from .. import permissions, selectors
from ..models import SubjectExemption
from .base import add_error as _add


def _current_class_id(student_id: int) -> int | None:
    rows = selectors.current_class_ids([student_id])
    return rows[0][1] if rows else None


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "d.m.Y")


@transaction.atomic
def subject_exemption_create(
    *,
    actor: User,
    student: Student,
    subject: Subject,
    date_from: datetime.date,
    date_to: datetime.date,
    must_attend: bool = False,
    basis: str = "",
) -> SubjectExemption:
    """Exempt a student from a subject for a period (A-04), e.g. PE on a doctor's
    opinion. Periods of one student's exemptions from one subject may not overlap."""
    if not permissions.student_attendance.allows(get_viewer(actor), "exempt", student):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if subject.school_id != student.school_id:
        _add(errors, "subject", _("Choose a subject of the school."))
    if date_from > date_to:
        _add(errors, "date_to", _("The end date is before the start date."))
    basis = clean_text(basis)
    if len(basis) > 200:
        _add(errors, "basis", _("The note is too long (at most 200 characters)."))
    if errors:
        raise ValidationError(errors)
    # one student's exemptions are written one at a time, so two overlapping ones
    # cannot both pass the check below
    list(Student.objects.select_for_update(no_key=True).filter(pk=student.pk).only("pk"))
    overlap = (
        SubjectExemption.objects.filter(
            student=student, subject=subject, date_from__lte=date_to, date_to__gte=date_from
        )
        .order_by("date_from")
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            {
                "date_from": _(
                    "%(student)s is already exempt from %(subject)s from %(start)s to "
                    "%(end)s, which overlaps this period. End that exemption first or "
                    "choose other dates."
                )
                % {
                    "student": student.full_name,
                    "subject": subject.name,
                    "start": _date(overlap.date_from),
                    "end": _date(overlap.date_to),
                }
            }
        )
    exemption = SubjectExemption.objects.create(
        school_id=student.school_id,
        student=student,
        subject=subject,
        date_from=date_from,
        date_to=date_to,
        must_attend=bool(must_attend),
        basis=basis,
    )
    audit.record_create(
        actor=actor,
        instance=exemption,
        student_id=student.pk,
        school_class_id=_current_class_id(student.pk),
    )
    return exemption


@transaction.atomic
def subject_exemption_end(
    *, actor: User, exemption: SubjectExemption, last_day: datetime.date
) -> SubjectExemption:
    """End an exemption earlier: ``last_day`` is its new last day."""
    current = (
        SubjectExemption.objects.select_for_update()
        .select_related("student")
        .filter(pk=exemption.pk)
        .first()
    )
    if current is None or not permissions.exemptions.allows(get_viewer(actor), "manage", current):
        raise PermissionDenied
    if last_day < current.date_from:
        raise ValidationError(
            {
                "last_day": _("The exemption starts on %(start)s; it cannot end before it starts.")
                % {"start": _date(current.date_from)}
            }
        )
    if last_day >= current.date_to:
        raise ValidationError(
            {
                "last_day": _("The exemption already ends on %(end)s.")
                % {"end": _date(current.date_to)}
            }
        )
    before = audit.snapshot(current, fields=["date_to"])
    current.date_to = last_day
    current.save(update_fields=["date_to"])
    audit.record_update(
        actor=actor,
        instance=current,
        before=before,
        student_id=current.student_id,
        school_class_id=_current_class_id(current.student_id),
    )
    return current


@transaction.atomic
def subject_exemption_withdraw(*, actor: User, exemption: SubjectExemption) -> None:
    """Withdraw an exemption entered by mistake, before it begins. One that has begun
    can only be ended: the lessons it covered were taken without the student."""
    current = (
        SubjectExemption.objects.select_for_update()
        .select_related("student")
        .filter(pk=exemption.pk)
        .first()
    )
    if current is None or not permissions.exemptions.allows(get_viewer(actor), "manage", current):
        raise PermissionDenied
    if current.date_from <= timezone.localdate():
        raise ValidationError(
            _(
                "The exemption has already begun, so it can only be ended: the lessons it "
                "covered were taken without the student's attendance."
            )
        )
    audit.record_delete(
        actor=actor,
        instance=current,
        student_id=current.student_id,
        school_class_id=_current_class_id(current.student_id),
    )
    current.delete()
