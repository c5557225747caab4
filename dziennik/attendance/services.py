"""Writes to the lesson register: attendance kinds, lessons and marks, justifications,
early-warning alerts. Every service runs in one transaction and records its changes in
the history (``dziennik.core.audit``) with the student and class they concern.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit, cache
from dziennik.schools.models import School, Student
from dziennik.schools.viewer import get_viewer
from dziennik.timetable import selectors as timetable

from . import alerts, selectors
from .models import (
    AttendanceKind,
    AttendanceMark,
    Justification,
    Lesson,
)
from .tasks import attendance_alerts_check

Base = AttendanceKind.Base
Counts = AttendanceKind.Counts


# --- attendance kinds -------------------------------------------------------------
@dataclass(frozen=True)
class DefaultKind:
    code: str
    name: str
    base: str
    counts_as: str
    shortcut: str
    colour: str
    excused: str = ""


# VULCAN's categories with Librus's codes; VULCAN's counting rule.
DEFAULT_KINDS = (
    DefaultKind("ob", "obecność", Base.PRESENT, Counts.PRESENT, "o", "#1e6b35"),
    DefaultKind(
        "nb", "nieobecność nieusprawiedliwiona", Base.ABSENT, Counts.ABSENT, "n", "#b00020", "u"
    ),
    DefaultKind(
        "u", "nieobecność usprawiedliwiona", Base.ABSENT_EXCUSED, Counts.ABSENT, "u", "#0b5cad"
    ),
    DefaultKind("sp", "spóźnienie", Base.LATE, Counts.PRESENT, "s", "#8a4b00", "su"),
    DefaultKind(
        "su", "spóźnienie usprawiedliwione", Base.LATE_EXCUSED, Counts.PRESENT, "e", "#5a4a00"
    ),
    DefaultKind("zw", "zwolnienie", Base.RELEASED, Counts.EXCLUDED, "z", "#4a5560"),
    DefaultKind(
        "ns",
        "nieobecność z przyczyn szkolnych",
        Base.SCHOOL_REASONS,
        Counts.PRESENT,
        "p",
        "#3b5a7a",
    ),
)


@transaction.atomic
def attendance_kinds_ensure_defaults(
    *, school: School, actor=None, record_history: bool = True
) -> dict[str, AttendanceKind]:
    """Create the default attendance kinds a school lacks; return all kinds by code.

    ``record_history=False`` only for generated demo data, which must stay removable.
    """
    existing = {k.code: k for k in AttendanceKind.objects.filter(school=school)}
    created = []
    for order, spec in enumerate(DEFAULT_KINDS):
        if spec.code in existing:
            continue
        kind = AttendanceKind(
            school=school,
            code=spec.code,
            name=spec.name,
            base=spec.base,
            counts_as=spec.counts_as,
            shortcut=spec.shortcut,
            colour=spec.colour,
            order=order * 10,
        )
        created.append(kind)
    if created:
        AttendanceKind.objects.bulk_create(created)
        for kind in created:
            existing[kind.code] = kind
        links = []
        for spec in DEFAULT_KINDS:
            kind = existing[spec.code]
            if spec.excused and kind in created and kind.excused_kind_id is None:
                kind.excused_kind = existing[spec.excused]
                links.append(kind)
        AttendanceKind.objects.bulk_update(links, ["excused_kind"])
        # bulk writes send no signals: move the school's configuration version here
        cache.bump(cache.config_scope(school.pk))
    if created and record_history:
        audit.record_many(
            [
                audit.build_entry(
                    actor=actor,
                    instance=kind,
                    action="create",
                    changes={n: [None, v] for n, v in audit.snapshot(kind).items()},
                )
                for kind in created
            ]
        )
    return existing


# --- lessons ----------------------------------------------------------------------
@transaction.atomic
def lesson_open(*, actor, entry_id: int, date: datetime.date) -> Lesson:
    """Open (create once) the lesson of a timetable entry on a date for the register.

    The actor must be the teacher who takes that lesson (after substitutions), the
    class teacher or the principal; the lesson must take place that day and not later
    than today. Opening it again returns the same lesson.
    """

    v = get_viewer(actor)
    if date > timezone.localdate():
        raise ValidationError(_("A lesson cannot be entered before it takes place."))
    entries = timetable.TimetableEntry.objects.filter(pk=entry_id, school_id=v.school_id)
    if v.school_id is None or not entries.exists():
        raise PermissionDenied
    occurrence = next(
        (
            o
            for o in timetable.expand(entries, date, date, school_id=v.school_id)
            if o.entry.pk == entry_id and o.takes_place
        ),
        None,
    )
    if occurrence is None:
        raise ValidationError(_("This lesson does not take place on that date."))
    entry = occurrence.entry
    if not (
        occurrence.teacher.pk == v.user_id or v.is_principal or v.leads_class(entry.school_class_id)
    ):
        raise PermissionDenied
    lookup = {"date": date, "slot": occurrence.slot}
    if entry.group_id:
        lookup["group_id"] = entry.group_id
    else:
        lookup["school_class_id"] = entry.school_class_id
        lookup["group__isnull"] = True
    lesson = Lesson.objects.filter(**lookup).first()
    if lesson is not None:
        return lesson
    lesson = Lesson.objects.create(
        school_id=entry.school_id,
        school_class_id=entry.school_class_id,
        group_id=entry.group_id,
        subject_id=entry.subject_id,
        teacher=occurrence.teacher,
        date=date,
        slot=occurrence.slot,
        timetable_entry=entry,
    )
    audit.record_create(actor=actor, instance=lesson, school_class_id=lesson.school_class_id)
    return lesson


def can_edit_lesson(viewer, lesson: Lesson) -> bool:
    v = get_viewer(viewer)
    return lesson.school_id == v.school_id and (
        lesson.teacher_id == v.user_id or v.is_principal or v.leads_class(lesson.school_class_id)
    )


@transaction.atomic
def lesson_save(
    *, actor, lesson: Lesson, topic: str, marks: dict[int, int]
) -> list[AttendanceMark]:
    """Save a lesson's topic and every student's mark in one go.

    ``marks`` maps student id → attendance kind id; students of the lesson left out are
    present. The number of queries does not depend on the number of students: one read
    of the existing marks, one insert of the new marks and one update per kind the
    changed marks now have, one update of the lesson, one insert into the history. The
    early warnings of the students whose marks changed are re-checked in the background
    once the save has committed (``alerts_check_later``).
    """
    if not can_edit_lesson(actor, lesson):
        raise PermissionDenied
    topic = (topic or "").strip()
    if len(topic) > 500:
        raise ValidationError({"topic": _("The topic is too long (at most 500 characters).")})
    attendees = selectors.lesson_attendee_ids(lesson)
    kinds = selectors.kinds_by_id(lesson.school_id)
    if not set(marks) <= set(attendees):
        raise ValidationError(_("Some marks are for students who are not in this lesson."))
    if any(kid not in kinds for kid in marks.values()):
        raise ValidationError(_("Unknown attendance kind."))
    present = selectors.default_kind(kinds)

    now = timezone.now()
    existing = {
        student_id: (pk, kind_id)
        for pk, student_id, kind_id in AttendanceMark.objects.filter(lesson=lesson).values_list(
            "pk", "student_id", "kind_id"
        )
    }
    # a kind the school no longer uses may stay where it is, but not be given anew
    if any(
        not kinds[kid].is_active and existing.get(sid, (None, None))[1] != kid
        for sid, kid in marks.items()
    ):
        raise ValidationError(_("Unknown attendance kind."))
    to_create, to_update, entries = [], [], []
    links = {"school_id": lesson.school_id, "school_class_id": lesson.school_class_id}
    for student_id in attendees:
        kind_id = marks.get(student_id, present.pk)
        pk, old = existing.get(student_id, (None, None))
        if pk is not None and old == kind_id:
            continue
        mark = AttendanceMark(
            pk=pk,
            lesson=lesson,
            student_id=student_id,
            kind_id=kind_id,
            date=lesson.date,
            updated_at=now,
        )
        if pk is None:
            to_create.append(mark)
        else:
            to_update.append(mark)
            entries.append(
                audit.build_entry(
                    actor=actor,
                    instance=mark,
                    action="update",
                    changes={"kind": [kinds[old].code, kinds[kind_id].code]},
                    student_id=student_id,
                    **links,
                )
            )
    if to_create:
        AttendanceMark.objects.bulk_create(to_create, batch_size=1000)
        entries += [
            audit.build_entry(
                actor=actor,
                instance=mark,
                action="create",
                changes={"lesson": [None, lesson.pk], "kind": [None, kinds[mark.kind_id].code]},
                student_id=mark.student_id,
                **links,
            )
            for mark in to_create
        ]
    # One UPDATE per kind the changed marks now have (a handful at most): far cheaper
    # than bulk_update's CASE over every row, whatever the number of students.
    by_kind: dict[int, list[int]] = defaultdict(list)
    for mark in to_update:
        by_kind[mark.kind_id].append(mark.pk)
    for kind_id, pks in sorted(by_kind.items()):
        AttendanceMark.objects.filter(pk__in=pks).update(
            kind_id=kind_id, updated_at=now, alerts_pending=True
        )

    before = audit.snapshot(lesson, fields=["topic", "conducted_at", "attendance_taken_at"])
    if topic != lesson.topic:
        lesson.topic = topic
        lesson.conducted_at = now if topic else None
    if lesson.attendance_taken_at is None and attendees:
        lesson.attendance_taken_at = now
    after = audit.snapshot(lesson, fields=before.keys())
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        lesson.save(update_fields=list(changes))
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=lesson,
                action="update",
                changes=changes,
                school_class_id=lesson.school_class_id,
                object_repr=selectors.lesson_label(lesson),
            )
        )
    audit.record_many(entries)
    if to_create or to_update:
        alerts_check_later()
    return [*to_create, *to_update]


# --- alerts (the check itself is in ``alerts``; it runs in the background) ----------


def alerts_check_later() -> None:
    """Queue the check of the flagged marks' warnings once this transaction commits."""

    def enqueue() -> None:
        if django_cache.add(alerts.ALERTS_CHECK_QUEUED, 1, alerts.ALERTS_CHECK_QUEUED_TIMEOUT):
            attendance_alerts_check.enqueue()

    transaction.on_commit(enqueue)


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


def may_justify(viewer, student: Student) -> bool:
    """A guardian with full access, or the adult student when the school allows it."""
    v = get_viewer(viewer)
    if student.school_id != v.school_id:
        return False
    if student.pk in v.child_ids:
        return True
    if student.pk == v.student_id and student.is_adult_on():
        return selectors.settings_for(student.school_id).adult_students_may_justify
    return False


def may_decide(viewer, justification: Justification) -> bool:
    """The class teacher of the student's class, or the principal (L-19)."""
    v = get_viewer(viewer)
    return justification.school_id == v.school_id and (
        v.is_principal or v.leads_class(justification.school_class_id)
    )


@transaction.atomic
def justification_submit(
    *,
    actor,
    student: Student,
    reason: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    mark_ids: Iterable[int] | None = None,
    attachment=None,
) -> Justification:
    """Submit an excuse for a date range or for chosen lessons (A-05).

    Only unexcused absences and lateness without a pending excuse can be justified,
    within the school's deadline.
    """
    if not may_justify(actor, student):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the absence.")})
    validate_attachment(attachment)
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
        attachment=attachment or "",
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
    *, actor, justification: Justification, accept: bool, comment: str = ""
) -> Justification:
    """Accept (the marks become excused) or reject an excuse, with a comment."""
    justification = Justification.objects.select_for_update().get(pk=justification.pk)
    if not may_decide(actor, justification):
        raise PermissionDenied
    if justification.status != Justification.Status.PENDING:
        raise ValidationError(_("This justification has already been decided."))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Say why the justification is rejected.")})
    before = audit.snapshot(
        justification, fields=["status", "decided_by", "decided_at", "decision_comment"]
    )
    justification.status = (
        Justification.Status.ACCEPTED if accept else Justification.Status.REJECTED
    )
    justification.decided_by = actor
    justification.decided_at = timezone.now()
    justification.decision_comment = comment[:500]
    justification.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit.record_update(
        actor=actor,
        instance=justification,
        before=before,
        student_id=justification.student_id,
        school_class_id=justification.school_class_id,
    )
    if accept:
        marks = list(
            justification.marks.select_related("kind__excused_kind", "lesson").filter(
                kind__excused_kind__isnull=False
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
    return justification
