"""A person's data export as PDF, queued for the worker: laying it out took 30–47 s for
a student under load, in the request. Now the request records the export and returns at
once; the export's page shows when the PDF is ready (``tasks.data_export_build``)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404

from dziennik.accounts.models import User
from dziennik.schools.models import Student
from dziennik.schools.viewer import Viewer

from .models import DataExport
from .services import export_record
from .tasks import data_export_build


def export_pdf_start(
    *, actor: User, user: User | None, student: Student | None, language: str
) -> DataExport:
    """Record the export (the caller checked ``actor`` may) and queue its PDF."""
    with transaction.atomic():
        row = export_record(
            actor=actor, fmt=DataExport.Format.PDF, user=user, student=student, language=language
        )
        transaction.on_commit(lambda: data_export_build.enqueue(row.pk))
    return row


def get_export_for(viewer: Viewer, export_id: int) -> DataExport:
    """The viewer's own PDF export; 404 for anybody else's and for a missing one."""
    row = (
        DataExport.objects.filter(
            pk=export_id, requested_by_id=viewer.user_id, format=DataExport.Format.PDF
        )
        .select_related("user", "student")
        .defer("content")
        .first()
    )
    if row is None or viewer.user_id is None:
        raise Http404
    return row
