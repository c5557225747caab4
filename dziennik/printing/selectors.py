"""Reads of the printing page: the years and classes a viewer may print, their print
jobs, one job. Fixed numbers of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from dziennik.schools.models import SchoolClass, SchoolYear
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import PrintJob

RECENT = 30


@dataclass
class ClassRow:
    school_class: SchoolClass
    allowed: list[permissions.Allowed]

    @property
    def kinds(self) -> list[str]:
        return [a.kind for a in self.allowed]

    @property
    def own_subjects_only(self) -> bool:
        return any(a.teacher_id for a in self.allowed)


def years_for(viewer: Viewer) -> list[SchoolYear]:
    if not permissions.may_print(viewer):
        return []
    return list(SchoolYear.objects.filter(school_id=viewer.school_id).order_by("-start_date"))


def year_of(viewer: Viewer, year_id: int) -> SchoolYear:
    """A year of the viewer's school; 404 for anything else."""
    found = SchoolYear.objects.filter(pk=year_id, school_id=viewer.school_id).first()
    if found is None or not permissions.may_print(viewer):
        raise Http404
    return found


def class_rows(viewer: Viewer, year: SchoolYear) -> list[ClassRow]:
    """The classes of ``year`` with what the viewer may print of each."""
    classes = SchoolClass.objects.filter(school_id=viewer.school_id, school_year=year).order_by(
        "level", "name"
    )
    rows = [ClassRow(c, permissions.allowed_for_class(viewer, c)) for c in classes]
    return [row for row in rows if row.allowed]


def class_of(viewer: Viewer, class_id: int) -> SchoolClass:
    found = (
        SchoolClass.objects.filter(pk=class_id, school_id=viewer.school_id)
        .select_related("school_year", "school")
        .first()
    )
    if found is None or not permissions.allowed_for_class(viewer, found):
        raise Http404
    return found


def jobs_for(viewer: Viewer) -> list[PrintJob]:
    """The viewer's own print jobs; the principal's list holds the school's too."""
    if not permissions.may_print(viewer):
        return []
    mine = Q(requested_by_id=viewer.user_id)
    if viewer.is_principal:
        mine |= Q(school_id=viewer.school_id)
    return list(
        PrintJob.objects.filter(mine)
        .select_related("school_year", "school_class", "requested_by")
        .order_by("-created_at", "-id")[:RECENT]
    )


def get_job_for(viewer: Viewer, job_id: int) -> PrintJob:
    """A job its requester (or the school's principal) may see; 404 for anyone else."""
    job = (
        PrintJob.objects.filter(pk=job_id)
        .select_related("school_year", "school_class", "requested_by")
        .first()
    )
    if job is None or not permissions.may_take(viewer, job):
        raise Http404
    return job
