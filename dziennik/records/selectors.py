"""Reads of the records page: the years and classes a viewer may export, and the
exports of their school."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dziennik.schools.models import SchoolClass, SchoolYear
from dziennik.schools.viewer import Viewer

from .models import RegisterExport
from .permissions import may_export

RECENT = 20


def years_for(viewer: Viewer) -> QuerySet:
    if not may_export(viewer):
        return SchoolYear.objects.none()
    return SchoolYear.objects.filter(school_id=viewer.school_id).order_by("-start_date")


def classes_for(viewer: Viewer, year: SchoolYear) -> QuerySet:
    return SchoolClass.objects.filter(school_id=viewer.school_id, school_year=year).order_by(
        "level", "name"
    )


def year_of(viewer: Viewer, year_id: int | None) -> SchoolYear:
    """The chosen year (or the newest) of the viewer's school; 404 otherwise."""
    years = years_for(viewer)
    year = years.filter(pk=year_id).first() if year_id else years.first()
    if year is None:
        raise Http404
    return year


def class_of(viewer: Viewer, class_id: int) -> SchoolClass:
    found = (
        SchoolClass.objects.filter(pk=class_id, school_id=viewer.school_id)
        .select_related("school_year", "school")
        .first()
    )
    if found is None or not may_export(viewer):
        raise Http404
    return found


def recent_exports(viewer: Viewer) -> list[RegisterExport]:
    if not may_export(viewer):
        return []
    return list(
        RegisterExport.objects.filter(school_id=viewer.school_id)
        .select_related("school_year", "school_class", "requested_by")
        .order_by("-created_at", "-id")[:RECENT]
    )


def export_of(viewer: Viewer, export_id: int) -> RegisterExport:
    """A ready export of the viewer's school; 404 for anything else."""
    found = (
        RegisterExport.objects.filter(
            pk=export_id, school_id=viewer.school_id, status=RegisterExport.Status.READY
        )
        .exclude(file="")
        .select_related("school_year", "school_class")
        .first()
    )
    if found is None or not may_export(viewer):
        raise Http404
    return found
