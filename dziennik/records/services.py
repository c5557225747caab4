"""Writes of the records: every export is a ``RegisterExport`` row and an entry in the
history (who exported which year or class, how); the whole school's is queued for the
worker, which writes the file into the private storage."""

from __future__ import annotations

import tempfile
from typing import IO

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from dziennik.core.audit import build_entry, record_many
from dziennik.schools.models import School, SchoolClass, SchoolYear
from dziennik.schools.viewer import get_viewer

from .models import RegisterExport
from .permissions import may_export
from .xml_export import Scope, write_register


def record(actor, export: RegisterExport, action: str, changes: dict) -> None:
    record_many(
        [
            build_entry(
                actor=actor,
                instance=export,
                action=action,
                changes=changes,
                school_id=export.school_id,
                school_class_id=export.school_class_id,
                object_repr=f"XML {export.school_year.name} "
                + (export.school_class.name if export.school_class_id else "*"),
            )
        ]
    )


def require(actor, school_id: int) -> None:
    viewer = get_viewer(actor)
    if not may_export(viewer) or viewer.school_id != school_id:
        raise PermissionDenied


@transaction.atomic
def export_recorded(
    *,
    actor,
    school: School,
    year: SchoolYear,
    school_class: SchoolClass | None,
    via: str,
) -> RegisterExport:
    """Record an export that is handed over at once (a class's download, a command)."""
    if actor is not None:
        require(actor, school.pk)
    export = RegisterExport.objects.create(
        school=school,
        school_year=year,
        school_class=school_class,
        requested_by=actor,
        via=via,
        status=RegisterExport.Status.READY,
        finished_at=timezone.now(),
    )
    record(
        actor,
        export,
        "create",
        {
            "school_year": [None, year.name],
            "school_class": [None, school_class.name if school_class else None],
            "via": [None, via],
        },
    )
    return export


def export_class(*, actor, school_class: SchoolClass, out: IO[bytes]) -> RegisterExport:
    """Write one class's register for its year to ``out``, recorded in the history."""
    export = export_recorded(
        actor=actor,
        school=school_class.school,
        year=school_class.school_year,
        school_class=school_class,
        via=RegisterExport.Via.DOWNLOAD,
    )
    write_register(out, Scope(school_class.school, school_class.school_year, school_class))
    return export


def export_write(*, export_id: int) -> str:
    """Write a queued export (the worker's part); a second run after it is written does
    nothing. One left *running* is taken again: its worker died mid-write (the task is
    run again only then), and the file is written anew."""
    with transaction.atomic():
        export = (
            RegisterExport.objects.select_for_update(of=("self",))
            .select_related("school", "school_year")
            .filter(pk=export_id, status__in=RegisterExport.ACTIVE)
            .first()
        )
        if export is None:
            return "skipped"
        RegisterExport.objects.filter(pk=export_id).update(status=RegisterExport.Status.RUNNING)
    try:
        with tempfile.TemporaryFile() as tmp:
            write_register(tmp, Scope(export.school, export.school_year))
            size = tmp.tell()
            tmp.seek(0)
            export.file.save("register.xml", File(tmp), save=False)
        RegisterExport.objects.filter(pk=export_id).update(
            status=RegisterExport.Status.READY,
            file=export.file.name,
            size=size,
            finished_at=timezone.now(),
        )
    except Exception:
        RegisterExport.objects.filter(pk=export_id).update(
            status=RegisterExport.Status.FAILED, finished_at=timezone.now()
        )
        raise
    return RegisterExport.Status.READY


def export_downloaded(*, actor, export: RegisterExport) -> None:
    """Record that ``actor`` took a copy of a written export."""
    require(actor, export.school_id)
    record(
        actor, export, "update", {"downloaded_by": [None, actor.get_full_name() or actor.username]}
    )
