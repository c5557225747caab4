"""A parent announces a coming absence (*zgłoszenie nieobecności*); the class teacher
sees it, and the lessons it covers start with an excused absence when they are taken."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit
from dziennik.core.text import field_text
from dziennik.schools.models import Student
from dziennik.schools.viewer import get_viewer

from .. import permissions, selectors
from ..models import AbsenceNotice

MAX_NOTICE_DAYS = 31  # a longer absence (a stay in hospital) is a matter for the school


def _check_period(date_from, date_to, lesson_from, lesson_to) -> None:
    errors = {}
    today = timezone.localdate()
    if date_from < today:
        errors["date_from"] = _("An absence is announced for today or a later day.")
    elif date_to < date_from:
        errors["date_to"] = _("The last day cannot be before the first.")
    elif date_to - date_from > datetime.timedelta(days=MAX_NOTICE_DAYS - 1):
        errors["date_to"] = _("Announce at most %(days)s days at once.") % {"days": MAX_NOTICE_DAYS}
    if lesson_from is not None and lesson_to is not None and lesson_to < lesson_from:
        errors["lesson_to"] = _("The last lesson cannot be before the first.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def absence_notice_submit(
    *,
    actor: User,
    student: Student,
    date_from: datetime.date,
    date_to: datetime.date,
    reason: str,
    lesson_from: int | None = None,
    lesson_to: int | None = None,
) -> AbsenceNotice:
    """Announce the student's absence on some days (and lessons) ahead, with the reason:
    whoever may justify the student's absences (A-05)."""
    if not permissions.student_attendance.allows(get_viewer(actor), "justify", student):
        raise PermissionDenied
    reason = field_text(AbsenceNotice, "reason", reason, multiline=True)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the absence.")})
    _check_period(date_from, date_to, lesson_from, lesson_to)
    enrolment = selectors.current_class_ids([student.pk])
    if not enrolment:
        raise ValidationError(_("The student is not enrolled in a class."))
    notice = AbsenceNotice.objects.create(
        school_id=student.school_id,
        student=student,
        school_class_id=enrolment[0][1],
        submitted_by=actor,
        date_from=date_from,
        date_to=date_to,
        lesson_from=lesson_from,
        lesson_to=lesson_to,
        reason=reason,
    )
    audit.record_create(
        actor=actor,
        instance=notice,
        student_id=student.pk,
        school_class_id=notice.school_class_id,
    )
    return notice


@transaction.atomic
def absence_notice_withdraw(*, actor: User, notice: AbsenceNotice) -> AbsenceNotice:
    """Withdraw an announcement (plans changed); the marks already taken stay as they are."""
    notice = AbsenceNotice.objects.select_for_update().get(pk=notice.pk)
    if not permissions.absence_notices.allows(get_viewer(actor), "withdraw", notice):
        raise PermissionDenied
    if notice.status != AbsenceNotice.Status.ACTIVE:
        raise ValidationError(_("This announcement has already been withdrawn."))
    before = audit.snapshot(notice, fields=["status"])
    notice.status = AbsenceNotice.Status.CANCELLED
    notice.save(update_fields=["status"])
    audit.record_update(
        actor=actor,
        instance=notice,
        before=before,
        student_id=notice.student_id,
        school_class_id=notice.school_class_id,
    )
    return notice
