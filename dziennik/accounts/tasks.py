"""Background work of accounts: a class's credential letters.

Tasks take ids, load what they need, call a service and are safe to run twice.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .letters import render_letters
from .models import LetterJob
from .services import credentials_generate_for_class

PROGRESS_KEY = "accounts:letters-progress:{}"
PROGRESS_KEPT_FOR = 3600  # seconds


def letters_progress(job_id: int) -> tuple[int, int] | None:
    """``(letters laid out, letters in all)`` of a running job, when the cache is shared
    with the worker (else ``None``: the page then shows no figures)."""
    return cache.get(PROGRESS_KEY.format(job_id))


@task
def letters_prepare(job_id: int) -> str:
    """Create the class's accounts and lay out their letters, all or nothing: a failure
    creates no account (the accounts and the PDF commit together). A second run of the
    same job does nothing."""
    if not LetterJob.objects.filter(pk=job_id, status=LetterJob.Status.QUEUED).update(
        status=LetterJob.Status.RUNNING
    ):
        return "skipped"
    job = LetterJob.objects.select_related("school_class__school", "requested_by").get(pk=job_id)
    key = PROGRESS_KEY.format(job_id)
    try:
        with transaction.atomic():
            issued = credentials_generate_for_class(
                actor=job.requested_by, school_class=job.school_class, regenerate=job.regenerate
            )
            cache.set(key, (0, len(issued)), PROGRESS_KEPT_FOR)
            content = None
            if issued:
                content = render_letters(
                    issued,
                    login_url=job.login_url,
                    progress=lambda done: cache.set(key, (done, len(issued)), PROGRESS_KEPT_FOR),
                )
            LetterJob.objects.filter(pk=job_id).update(
                status=LetterJob.Status.READY if issued else LetterJob.Status.EMPTY,
                letters=len(issued),
                content=content,
                finished_at=timezone.now(),
            )
    except Exception:
        LetterJob.objects.filter(pk=job_id).update(
            status=LetterJob.Status.FAILED, finished_at=timezone.now()
        )
        raise
    finally:
        cache.delete(key)
    return LetterJob.objects.values_list("status", flat=True).get(pk=job_id)
