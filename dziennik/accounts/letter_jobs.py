"""A class's credential letters, prepared in the background for the person who asked.

Generating the accounts of a class of 25 with their guardians (about 70 letters) took
22–31 s in the request, with no feedback, and a teacher clicked again. The time went on
hashing: one Argon2 hash at Django's default cost (100 MiB, 2 passes, 8 lanes) takes
0.13–0.4 s, once per person. Now the one-time passwords are hashed at a lower cost
(``hashers.ONE_TIME_PASSWORD_HASHER``) and the job runs in the background
(``tasks.letters_prepare``) while the page shows its progress.

The PDF holds one-time passwords, so it is kept only for its requester
(``get_letter_job_for``), in the database (no file a web server could serve), until it
is downloaded (a POST, which deletes it) or ``LETTERS_KEPT_FOR`` has passed. The history
records who asked for the letters and who downloaded them.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from dziennik.core.audit import build_entry, record_many
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import Viewer, get_viewer

from .models import LetterJob, User
from .permissions import can_manage_class_accounts
from .tasks import letters_prepare

LETTERS_KEPT_FOR = datetime.timedelta(minutes=30)


def _record(actor: User, job: LetterJob, action: str, changes: dict, school_id: int) -> None:
    record_many(
        [
            build_entry(
                actor=actor,
                instance=job,
                action=action,
                changes=changes,
                school_id=school_id,
                school_class_id=job.school_class_id,
            )
        ]
    )


def letter_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the letters nobody downloaded in time, and forget jobs that never finished
    (a worker that died); returns how many letters were deleted."""
    cutoff = (now or timezone.now()) - LETTERS_KEPT_FOR
    LetterJob.objects.filter(status__in=LetterJob.ACTIVE, created_at__lt=cutoff).update(
        status=LetterJob.Status.FAILED, finished_at=now or timezone.now()
    )
    return LetterJob.objects.filter(status=LetterJob.Status.READY, finished_at__lt=cutoff).update(
        status=LetterJob.Status.EXPIRED, content=None
    )


def letter_job_start(
    *, actor: User, school_class: SchoolClass, regenerate: bool, login_url: str
) -> tuple[LetterJob, bool]:
    """Queue the class's letters for ``actor``: ``(job, True)``. While a job of the
    class is waiting or running, or the actor's letters of the class wait for download,
    that job is returned instead (``(job, False)``): a second click starts nothing."""
    if not can_manage_class_accounts(get_viewer(actor), school_class):
        raise PermissionDenied
    letter_jobs_purge()
    pending = Q(status__in=LetterJob.ACTIVE) | Q(status=LetterJob.Status.READY, requested_by=actor)
    with transaction.atomic():
        found = LetterJob.objects.filter(pending, school_class=school_class).first()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                job = LetterJob.objects.create(
                    school_class=school_class,
                    requested_by=actor,
                    regenerate=regenerate,
                    login_url=login_url[:300],
                )
        except IntegrityError:  # a click at the same moment queued one first
            return LetterJob.objects.get(
                school_class=school_class, status__in=LetterJob.ACTIVE
            ), False
        _record(actor, job, "create", {"regenerate": [None, regenerate]}, school_class.school_id)
        transaction.on_commit(lambda: letters_prepare.enqueue(job.pk))
    return job, True


def get_letter_job_for(viewer: Viewer, job_id: int) -> LetterJob:
    """The viewer's own letters job; 404 for anybody else's and for a missing one."""
    job = (
        LetterJob.objects.filter(pk=job_id, requested_by_id=viewer.user_id)
        .select_related("school_class")
        .defer("content")
        .first()
    )
    if job is None or viewer.user_id is None:
        raise Http404
    return job


@transaction.atomic
def letter_job_download(*, actor: User, job_id: int) -> tuple[LetterJob, bytes]:
    """The letters for their requester, once: the stored PDF is deleted as it is handed
    over, and the history records the download. 404 when there is nothing to hand."""
    job = (
        LetterJob.objects.select_for_update(of=("self",))
        .select_related("school_class")
        .filter(pk=job_id, requested_by=actor, status=LetterJob.Status.READY)
        .first()
    )
    if job is None or job.content is None:
        raise Http404
    content = bytes(job.content)
    job.content = None
    job.status = LetterJob.Status.DOWNLOADED
    job.save(update_fields=["content", "status"])
    _record(actor, job, "update", {"status": ["ready", "downloaded"]}, job.school_class.school_id)
    return job, content
