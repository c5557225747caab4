"""Writes to excuses (*usprawiedliwienia*, A-05): submitting one, deciding on it."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency, uploads
from dziennik.core.text import field_text
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import Student
from dziennik.schools.viewer import get_viewer

from .. import permissions, selectors
from ..models import AttendanceMark, Justification, Lesson
from .lessons import alerts_check_later

ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def validate_attachment(upload) -> None:
    """A PDF, PNG or JPEG up to 5 MB, checked by extension and by its first bytes."""

    if upload is None:
        return
    ext = os.path.splitext(upload.name or "")[1].lower()
    magic = ALLOWED_ATTACHMENT_TYPES.get(ext)
    if magic is None:
        raise ValidationError({"attachment": _("The attachment must be a PDF, PNG or JPEG file.")})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": _("The attachment is larger than 5 MB.")})
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(magic):
        raise ValidationError(
            {"attachment": _("The file's content does not match its type (PDF, PNG or JPEG).")}
        )


def _marks_to_justify(
    student: Student,
    *,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    mark_ids: Iterable[int] | None,
) -> list[AttendanceMark]:
    """The chosen lessons, or the unexcused marks of the period; refused when some
    chosen lesson cannot be justified or nothing is left to justify."""
    candidates = selectors.justifiable_marks(student)
    mark_ids = [int(m) for m in (mark_ids or [])]
    if mark_ids:
        marks = list(candidates.filter(pk__in=mark_ids))
        if len(marks) != len(set(mark_ids)):
            raise ValidationError(
                _("Some of the chosen lessons cannot be justified (already excused or pending).")
            )
    else:
        if date_from is None or date_to is None:
            raise ValidationError(_("Choose the dates or the lessons to justify."))
        if date_from > date_to:
            raise ValidationError({"date_to": _("The end date is before the start date.")})
        marks = list(candidates.filter(date__range=(date_from, date_to)))
    if not marks:
        raise ValidationError(
            _("There are no unexcused absences or lateness to justify in this period.")
        )
    return marks


def justification_submit(
    *,
    actor: User,
    student: Student,
    reason: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    mark_ids: Iterable[int] | None = None,
    attachment=None,
) -> Justification:
    """Submit an excuse for a date range or for chosen lessons (A-05).

    Only unexcused absences and lateness without a pending excuse can be justified,
    within the school's deadline, by whoever ``permissions.student_attendance`` lets
    ``justify`` the student. The attachment is stored before the excuse is written and
    removed again if the excuse is not (``core.uploads``): a storage that fails refuses
    the excuse with an error on the attachment, and no excuse points to a missing file.
    """
    if not permissions.student_attendance.allows(get_viewer(actor), "justify", student):
        raise PermissionDenied
    arguments = {
        "actor": actor,
        "student": student,
        "reason": reason,
        "date_from": date_from,
        "date_to": date_to,
        "mark_ids": mark_ids,
    }
    if not attachment:
        return _justification_submit(**arguments, attachment="")
    validate_attachment(attachment)
    field = Justification._meta.get_field("attachment")
    name = field.generate_filename(student_place(student), attachment.name)
    with uploads.stored_file(attachment, name, field="attachment", storage=field.storage) as stored:
        return _justification_submit(**arguments, attachment=stored)


def student_place(student: Student) -> Justification:
    """An unsaved excuse that knows only where its student's files go."""
    return Justification(school_id=student.school_id, student_id=student.pk)


@transaction.atomic
def _justification_submit(
    *,
    actor: User,
    student: Student,
    reason: str,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    mark_ids: Iterable[int] | None,
    attachment: str,
) -> Justification:
    """``justification_submit`` with the attachment already stored (its name, or "")."""
    reason = field_text(Justification, "reason", reason, multiline=True)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the absence.")})
    # One submit per student at a time: a second one (a double click, a retry) waits,
    # then finds the lessons pending and is refused instead of duplicating the excuse.
    concurrency.locked(Student.objects.filter(pk=student.pk).only("pk"))
    marks = _marks_to_justify(student, date_from=date_from, date_to=date_to, mark_ids=mark_ids)
    enrolment = selectors.current_class_ids([student.pk])
    if not enrolment:
        raise ValidationError(_("The student is not enrolled in a class."))
    justification = Justification.objects.create(
        school_id=student.school_id,
        student=student,
        school_class_id=enrolment[0][1],
        submitted_by=actor,
        date_from=min(m.date for m in marks),
        date_to=max(m.date for m in marks),
        reason=reason,
        attachment=attachment,
    )
    justification.marks.set(marks)
    fields = [f.name for f in Justification._meta.concrete_fields if f.name != "attachment"]
    changes = {n: [None, v] for n, v in audit.snapshot(justification, fields=fields).items()}
    changes["attachment"] = [None, justification.attachment.name or ""]
    changes["marks"] = [None, sorted(m.pk for m in marks)]
    audit.record_many(
        [
            audit.build_entry(
                actor=actor,
                instance=justification,
                action="create",
                changes=changes,
                student_id=student.pk,
                school_class_id=justification.school_class_id,
            )
        ]
    )
    return justification


@transaction.atomic
def justification_decide(
    *,
    actor: User,
    justification: Justification,
    accept: bool,
    comment: str = "",
    mark_ids: Iterable[int] | None = None,
) -> Justification:
    """Accept (the marks become excused) or reject an excuse, with a comment. Whoever
    ``permissions.justifications`` lets ``decide`` it (L-19).

    Accepting with ``mark_ids`` excuses those of its lessons only: the others stay
    unexcused and the excuse is *accepted in part* (a comment says why); the history
    records which lessons were excused and which refused."""
    justification = Justification.objects.select_for_update().get(pk=justification.pk)
    if not permissions.justifications.allows(get_viewer(actor), "decide", justification):
        raise PermissionDenied
    if justification.status != Justification.Status.PENDING:
        raise ValidationError(_("This justification has already been decided."))
    comment = field_text(Justification, "decision_comment", comment, multiline=True)
    all_ids = set(justification.marks.values_list("pk", flat=True))
    accepted = _accepted_marks(accept, all_ids, mark_ids)
    status = (
        Justification.Status.REJECTED
        if not accepted
        else Justification.Status.ACCEPTED
        if accepted == all_ids
        else Justification.Status.PARTIAL
    )
    if status == Justification.Status.REJECTED and not comment:
        raise ValidationError({"comment": _("Say why the justification is rejected.")})
    if status == Justification.Status.PARTIAL and not comment:
        raise ValidationError({"comment": _("Say why the other lessons are not excused.")})
    before = audit.snapshot(
        justification, fields=["status", "decided_by", "decided_at", "decision_comment"]
    )
    justification.status = status
    justification.decided_by = actor
    justification.decided_at = timezone.now()
    justification.decision_comment = comment
    justification.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    after = audit.snapshot(justification, fields=before.keys())
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if status == Justification.Status.PARTIAL:
        changes["excused_marks"] = [None, sorted(accepted)]
        changes["refused_marks"] = [None, sorted(all_ids - accepted)]
    audit.record_many(
        [
            audit.build_entry(
                actor=actor,
                instance=justification,
                action="update",
                changes=changes,
                student_id=justification.student_id,
                school_class_id=justification.school_class_id,
            )
        ]
    )
    if accepted:
        _excuse_marks(actor, justification, accepted)
    notifications.notify_family(
        event=events.JUSTIFICATION_DECIDED,
        school_id=justification.school_id,
        student_id=justification.student_id,
        key=f"justification:{justification.pk}:decided",
        params={"decision": {"accepted": "accepted", "partial": "partly"}.get(status, "rejected")},
        url=reverse("attendance:student", args=[justification.student_id]),
    )
    return justification


def _accepted_marks(accept: bool, all_ids: set[int], mark_ids: Iterable[int] | None) -> set[int]:
    """The excuse's lessons to excuse: all, none, or the chosen ones (never another's)."""
    if not accept:
        return set()
    if mark_ids is None:
        return all_ids
    chosen = set(mark_ids)
    if not chosen:
        raise ValidationError(
            {"marks": _("Choose the lessons to excuse, or reject the justification.")}
        )
    if not chosen <= all_ids:
        raise ValidationError({"marks": _("Choose only lessons of this justification.")})
    return chosen


def _excuse_marks(actor: User, justification: Justification, mark_ids: set[int]) -> None:
    """An accepted excuse turns its (accepted) marks into their excused kinds (A-05).
    Their lessons are locked first, as a lesson's save locks them, so a save of the
    lesson at the same time reads the excused marks instead of overwriting them."""
    concurrency.locked(
        Lesson.objects.filter(pk__in=justification.marks.values("lesson_id")).only("pk")
    )
    marks = list(
        justification.marks.select_related("kind__excused_kind", "lesson").filter(
            kind__excused_kind__isnull=False, pk__in=mark_ids
        )
    )
    entries = []
    for mark in marks:
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=mark,
                action="update",
                changes={"kind": [mark.kind.code, mark.kind.excused_kind.code]},
                school_id=justification.school_id,
                student_id=mark.student_id,
                school_class_id=mark.lesson.school_class_id,
            )
        )
        mark.kind = mark.kind.excused_kind
        mark.alerts_pending = True
    AttendanceMark.objects.bulk_update(marks, ["kind", "alerts_pending"])
    audit.record_many(entries)
    if marks:  # the warnings of the excused days, by the same check as a lesson's save
        alerts_check_later()
