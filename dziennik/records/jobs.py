"""The whole school's export, queued for the worker (it can take minutes for a large
school): one waiting or running export per school at a time, a second click gets it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dziennik.schools.models import SchoolYear

from .models import RegisterExport
from .services import record, require
from .tasks import register_export_write

# An export still waiting or running after this long lost its worker: it is marked
# failed, so that it does not hold the school's next export back for ever.
STALE_AFTER = datetime.timedelta(hours=2)


def export_school_start(*, actor, year: SchoolYear) -> tuple[RegisterExport, bool]:
    """Queue the whole school's export of ``year``: ``(export, True)``; while one of the
    school is waiting or being written, that one: ``(export, False)``."""
    require(actor, year.school_id)
    now = timezone.now()
    with transaction.atomic():
        RegisterExport.objects.filter(
            school_id=year.school_id,
            status__in=RegisterExport.ACTIVE,
            created_at__lt=now - STALE_AFTER,
        ).update(status=RegisterExport.Status.FAILED, finished_at=now)
        found = (
            RegisterExport.objects.select_for_update()
            .filter(school_id=year.school_id, status__in=RegisterExport.ACTIVE)
            .first()
        )
        if found is not None:
            return found, False
        export = RegisterExport.objects.create(
            school_id=year.school_id,
            school_year=year,
            requested_by=actor,
            via=RegisterExport.Via.BACKGROUND,
        )
        record(
            actor, export, "create", {"school_year": [None, year.name], "via": [None, "background"]}
        )
        transaction.on_commit(lambda: register_export_write.enqueue(export.pk))
    return export, True
