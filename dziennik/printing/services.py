"""Writes of printing: a print job is started by its requester (recorded in the history),
laid out by the worker (``job_run``), downloaded by its requester or the principal
(recorded), and its file deleted after ``KEPT_FOR`` (``jobs_purge``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dziennik.core.audit import build_entry, record_many
from dziennik.schools.models import SchoolClass, SchoolYear
from dziennik.schools.viewer import get_viewer

from . import documents, permissions
from .models import PrintJob

# How long a printout waits for download before its file is deleted.
KEPT_FOR = datetime.timedelta(days=7)
# A job still waiting or running after this long lost its worker: it is marked failed.
STALE_AFTER = datetime.timedelta(hours=3)


def record(actor, job: PrintJob, action: str, changes: dict) -> None:
    what = job.school_class.name if job.school_class_id else "*"
    record_many(
        [
            build_entry(
                actor=actor,
                instance=job,
                action=action,
                changes=changes,
                school_id=job.school_id,
                school_class_id=job.school_class_id,
                object_repr=f"{job.kind} {job.school_year.name} {what}",
            )
        ]
    )


def allowed_teacher(actor, kind: str, school_year: SchoolYear, school_class: SchoolClass | None):
    """The teacher limit of the printout ``actor`` may ask for; PermissionDenied else."""
    viewer = get_viewer(actor)
    if kind == PrintJob.Kind.SCHOOL:
        if school_class is not None or not permissions.may_print_school(
            viewer, school_year.school_id
        ):
            raise PermissionDenied
        return None
    if school_class is None or school_class.school_year_id != school_year.pk:
        raise PermissionDenied
    for allowed in permissions.allowed_for_class(viewer, school_class):
        if allowed.kind == kind:
            return allowed.teacher_id
    raise PermissionDenied


def job_run(*, job_id: int) -> str:
    """Lay out a queued job (the worker's part); a second run after it is done does
    nothing. The claim commits alone, so the page can show the progress part by part;
    one left *running* is taken again (its worker died: the task is run again only
    then), and the file is laid out anew from its first part."""
    with transaction.atomic():
        job = (
            PrintJob.objects.select_for_update(of=("self",))
            .select_related(
                "school", "school_year", "school_class__school", "school_class__school_year"
            )
            .filter(pk=job_id, status__in=PrintJob.ACTIVE)
            .first()
        )
        if job is None:
            return "skipped"
        PrintJob.objects.filter(pk=job_id).update(status=PrintJob.Status.RUNNING, parts_done=0)
    try:
        found = documents.documents_of(job)
        PrintJob.objects.filter(pk=job_id).update(parts_total=documents.count_parts(found))
        content = documents.render(
            found,
            zipped=job.is_zip,
            progress=lambda: PrintJob.objects.filter(pk=job_id).update(
                parts_done=F("parts_done") + 1
            ),
        )
        job.file.save(
            "printout.zip" if job.is_zip else "printout.pdf", ContentFile(content), save=False
        )
        PrintJob.objects.filter(pk=job_id).update(
            status=PrintJob.Status.READY,
            file=job.file.name,
            size=len(content),
            finished_at=timezone.now(),
        )
    except Exception:
        PrintJob.objects.filter(pk=job_id).update(
            status=PrintJob.Status.FAILED, finished_at=timezone.now()
        )
        raise
    return PrintJob.Status.READY


def job_downloaded(*, actor, job: PrintJob) -> None:
    """Record that ``actor`` (the requester or the principal) took the printout."""
    if not permissions.may_take(get_viewer(actor), job) or job.status != PrintJob.Status.READY:
        raise PermissionDenied
    record(actor, job, "update", {"downloaded_by": [None, actor.get_full_name() or actor.username]})


def jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of the printouts older than ``KEPT_FOR`` (their rows stay, as
    *expired*, for the history), and mark failed the jobs whose worker died; returns how
    many files were deleted. Safe to run twice."""
    now = now or timezone.now()
    PrintJob.objects.filter(status__in=PrintJob.ACTIVE, created_at__lt=now - STALE_AFTER).update(
        status=PrintJob.Status.FAILED, finished_at=now
    )
    storage = PrintJob._meta.get_field("file").storage
    deleted = 0
    for job in PrintJob.objects.filter(
        status=PrintJob.Status.READY, finished_at__lt=now - KEPT_FOR
    ).only("pk", "file"):
        with transaction.atomic():
            updated = PrintJob.objects.filter(pk=job.pk, status=PrintJob.Status.READY).update(
                status=PrintJob.Status.EXPIRED, file=""
            )
            if updated and job.file:
                name = job.file.name
                transaction.on_commit(lambda name=name: storage.delete(name))
                deleted += 1
    return deleted
