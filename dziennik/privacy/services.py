"""Writes of data-subject rights: an export produced, a rectification request filed and
answered, a read logged, old reads purged. Each in one transaction, in the history."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import Guardian, SchoolRole, Student
from dziennik.schools.viewer import Viewer, get_viewer

from . import collector, export, permissions
from .models import DataExport, RectificationRequest, StudentRead

# The read log is kept this long (docs/privacy.md).
READ_LOG_DAYS = 365
OFFICE_ROLES = (
    SchoolRole.Role.PRINCIPAL,
    SchoolRole.Role.DEPUTY_PRINCIPAL,
    SchoolRole.Role.SECRETARY,
)


# --- exports ---------------------------------------------------------------------------
def export_record(
    *,
    actor: User,
    fmt: str,
    user: User | None = None,
    student: Student | None = None,
    language: str = "",
) -> DataExport:
    """Note that ``actor`` produced an export of ``user``'s or ``student``'s data (the
    caller checked it may): a row and its history entry, linked to the student so the
    family and the principal find it in the student's history. A JSON export is handed
    over at once (*ready*); a PDF waits for ``export_build`` (*queued*)."""
    school_id = (student.school_id if student is not None else user.school_id) or actor.school_id
    ready = fmt != DataExport.Format.PDF
    with transaction.atomic():
        row = DataExport.objects.create(
            school_id=school_id,
            requested_by=actor,
            user=user,
            student=student,
            format=fmt,
            language=language[:10],
            status=DataExport.Status.READY if ready else DataExport.Status.QUEUED,
            finished_at=timezone.now() if ready else None,
        )
        audit.record_create(
            actor=actor,
            instance=row,
            student_id=student.pk if student is not None else None,
        )
    return row


# A PDF export waits this long for its requester; one not built after ``EXPORT_STALE_AFTER``
# lost its worker.
EXPORT_KEPT_FOR = datetime.timedelta(days=1)
EXPORT_STALE_AFTER = datetime.timedelta(hours=2)


def exports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the PDFs kept longer than ``EXPORT_KEPT_FOR`` (the rows stay, for the
    history) and mark failed the ones whose worker died; returns how many were deleted."""
    now = now or timezone.now()
    DataExport.objects.filter(status__in=DataExport.ACTIVE, at__lt=now - EXPORT_STALE_AFTER).update(
        status=DataExport.Status.FAILED, finished_at=now
    )
    return DataExport.objects.filter(
        format=DataExport.Format.PDF,
        status=DataExport.Status.READY,
        finished_at__lt=now - EXPORT_KEPT_FOR,
    ).update(status=DataExport.Status.EXPIRED, content=None)


def _subject_of(row: DataExport) -> collector.Subject:
    """Whose data, as the request's selector chose it (``selectors.export_user`` or
    ``export_student``): an account with its student and guardian profiles, or a student
    alone."""
    if row.user is None:
        return collector.Subject(student=row.student)
    user = row.user
    student = row.student or Student.objects.filter(user_id=user.pk).first()
    guardian = Guardian.objects.filter(user_id=user.pk).first()
    return collector.Subject(user=user, student=student, guardian=guardian)


def export_build(*, export_id: int) -> str:
    """Lay out a queued PDF export (the worker's part), all or nothing: the claim and the
    PDF commit together, so a worker killed midway leaves it waiting and the next one
    builds it; a second run of a built one does nothing."""
    exports_purge()
    try:
        with transaction.atomic():
            row = (
                DataExport.objects.select_for_update(of=("self",))
                .select_related("school", "user", "student")
                .filter(pk=export_id, status=DataExport.Status.QUEUED)
                .first()
            )
            if row is None:
                return "skipped"
            DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.RUNNING)
            content = export.as_pdf(
                _subject_of(row), school_name=row.school.name, language=row.language or None
            )
            DataExport.objects.filter(pk=export_id).update(
                status=DataExport.Status.READY, content=content, finished_at=timezone.now()
            )
    except Exception:
        DataExport.objects.filter(pk=export_id).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now()
        )
        raise
    return DataExport.Status.READY


def export_content(*, actor: User, export_id: int) -> tuple[DataExport, bytes]:
    """A built PDF export, for the person who asked for it only; 404 for anything else."""
    row = (
        DataExport.objects.filter(pk=export_id, requested_by=actor, status=DataExport.Status.READY)
        .exclude(content=None)
        .first()
    )
    if row is None:
        raise Http404
    return row, bytes(row.content)


# --- rectification requests -----------------------------------------------------------
def _office_ids(school_id: int) -> list[int]:
    return list(
        SchoolRole.objects.filter(school_id=school_id, role__in=OFFICE_ROLES)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _clean_text(value: str, field: str, limit: int, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def rectification_file(
    *, actor: User, student_id: int | None, data: str, wrong: str, correct: str
) -> RectificationRequest:
    """A person (or a parent for a child) asks the school to correct data (RODO art. 16).
    The school office is told (in-app and by its chosen channels)."""
    viewer = get_viewer(actor)
    if not permissions.may_file_request(viewer):
        raise ValidationError(_("Only a person of a school may file a request."))
    if student_id is not None and student_id not in permissions.own_student_ids(viewer):
        raise ValidationError({"student": _("Choose yourself or one of your children.")})
    errors: dict = {}
    data = _clean_text(data, "data", 200, errors)
    wrong = _clean_text(wrong, "wrong", 2000, errors)
    correct = _clean_text(correct, "correct", 2000, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = RectificationRequest.objects.create(
            school_id=viewer.school_id,
            requester=actor,
            student_id=student_id,
            data=data,
            wrong=wrong,
            correct=correct,
        )
        audit.record_create(actor=actor, instance=request, student_id=student_id)
        office = [pk for pk in _office_ids(viewer.school_id) if pk != actor.pk]
        if office:
            notifications.notify(
                event=events.RECTIFICATION_FILED,
                school_id=viewer.school_id,
                recipient_ids=office,
                key=f"rectification:{request.pk}:filed",
                params={"data": data},
                url=reverse("privacy:request", args=[request.pk]),
            )
    return request


def rectification_answer(
    *, actor: User, request_id: int, status: str, answer: str = ""
) -> RectificationRequest:
    """The school office moves a request on: in progress, or done / refused with an
    answer the requester reads (and is told of)."""
    viewer = get_viewer(actor)
    allowed = (
        RectificationRequest.Status.IN_PROGRESS,
        RectificationRequest.Status.DONE,
        RectificationRequest.Status.REFUSED,
    )
    if status not in allowed:
        raise ValidationError({"status": _("Choose what happens to the request.")})
    answer = (answer or "").strip()
    if status != RectificationRequest.Status.IN_PROGRESS and not answer:
        raise ValidationError({"answer": _("Say what was corrected or why it was refused.")})
    if len(answer) > 4000:
        raise ValidationError({"answer": _("At most %(limit)d characters.") % {"limit": 4000}})
    with transaction.atomic():
        request = permissions.requests.get(
            viewer,
            request_id,
            "answer",
            queryset=RectificationRequest.objects.select_for_update(),
        )
        if not request.is_open:
            raise ValidationError(_("This request has been answered already."))
        before = audit.snapshot(request, fields=["status", "answer", "handled_by", "answered_at"])
        request.status = status
        request.handled_by = actor
        if status != RectificationRequest.Status.IN_PROGRESS:
            request.answer = answer
            request.answered_at = timezone.now()
        request.save(update_fields=["status", "answer", "handled_by", "answered_at"])
        audit.record_update(
            actor=actor, instance=request, before=before, student_id=request.student_id
        )
        if not request.is_open:
            with translation.override(settings.LANGUAGE_CODE):
                notifications.notify(
                    event=events.RECTIFICATION_ANSWERED,
                    school_id=request.school_id,
                    recipient_ids=[request.requester_id],
                    key=f"rectification:{request.pk}:answered",
                    params={"data": request.data, "status": request.status},
                    url=reverse("privacy:request", args=[request.pk]),
                )
    return request


# --- the read log ---------------------------------------------------------------------
def _roles_text(viewer: Viewer) -> str:
    roles = set(viewer.roles)
    if viewer.led_class_ids:
        roles.add("class_teacher")
    return ",".join(sorted(roles))


def read_record(*, viewer: Viewer, student_id: int, kind: str) -> None:
    """A member of staff opened a page of a student's data: one row per reader, student,
    kind and day; the same again that day adds nothing (one INSERT … ON CONFLICT DO
    NOTHING). A family's view of its own data is no staff read: not logged."""
    if not viewer.is_staff_member or student_id in permissions.own_student_ids(viewer):
        return
    now = timezone.now()
    StudentRead.objects.bulk_create(
        [
            StudentRead(
                student_id=student_id,
                reader_id=viewer.user_id,
                kind=kind,
                day=timezone.localdate(now),
                at=now,
                roles=_roles_text(viewer),
            )
        ],
        ignore_conflicts=True,
    )


def reads_purge(*, today: datetime.date | None = None) -> int:
    """Delete the reads older than a year (``manage.py privacy_purge_reads``)."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=READ_LOG_DAYS)
    deleted, _rows = StudentRead.objects.filter(day__lt=cutoff).delete()
    return deleted
