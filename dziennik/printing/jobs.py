"""A printout queued for the worker (a school's ZIP takes minutes): one waiting or
running job per requester and printout at a time, a second click gets it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dziennik.schools.models import SchoolClass, SchoolYear

from .models import PrintJob
from .services import STALE_AFTER, allowed_teacher, record
from .tasks import print_job_run


def job_start(
    *,
    actor,
    kind: str,
    school_year: SchoolYear,
    school_class: SchoolClass | None = None,
) -> tuple[PrintJob, bool]:
    """Queue a printout for ``actor``: ``(job, True)``; while the same printout of theirs
    is waiting or being printed, that one: ``(job, False)`` (a second click starts
    nothing). The start is recorded in the history."""
    teacher_id = allowed_teacher(actor, kind, school_year, school_class)
    now = timezone.now()
    with transaction.atomic():
        PrintJob.objects.filter(
            status__in=PrintJob.ACTIVE, created_at__lt=now - STALE_AFTER
        ).update(status=PrintJob.Status.FAILED, finished_at=now)
        found = (
            PrintJob.objects.select_for_update()
            .filter(
                requested_by=actor,
                kind=kind,
                school_year=school_year,
                school_class=school_class,
                status__in=PrintJob.ACTIVE,
            )
            .first()
        )
        if found is not None:
            return found, False
        job = PrintJob.objects.create(
            school_id=school_year.school_id,
            school_year=school_year,
            school_class=school_class,
            kind=kind,
            teacher_id=teacher_id,
            requested_by=actor,
        )
        record(
            actor,
            job,
            "create",
            {
                "kind": [None, kind],
                "school_year": [None, school_year.name],
                "school_class": [None, school_class.name if school_class else None],
                "own_subjects_only": [None, teacher_id is not None],
            },
        )
        transaction.on_commit(lambda: print_job_run.enqueue(job.pk))
    return job, True
