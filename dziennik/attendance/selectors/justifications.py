"""Reads of excuses (*usprawiedliwienia*) through ``permissions.justifications``."""

from __future__ import annotations

from django.db.models import QuerySet

from dziennik.schools.viewer import Viewer

from .. import permissions
from ..models import AttendanceMark, Justification


def justification_queryset(viewer: Viewer) -> QuerySet[Justification]:
    """Excuses the viewer may see: their children's / their own, their class's, or the
    whole school's for the principal, deputy and secretary."""
    return permissions.justifications.queryset(viewer, "view")


def get_justification_for(viewer: Viewer, justification_id: int) -> Justification:
    return permissions.justifications.get(
        viewer,
        justification_id,
        "view",
        queryset=Justification.objects.select_related(
            "student", "school_class", "submitted_by", "decided_by"
        ),
    )


def justifications_to_decide(viewer: Viewer, status: str | None = None) -> QuerySet[Justification]:
    """Excuses the viewer decides: of the class teacher's classes, of the whole school
    for the principal."""
    qs = permissions.justifications.queryset(viewer, "decide")
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("student", "school_class", "submitted_by").order_by(
        "status", "-submitted_at"
    )


def justification_marks(justification: Justification) -> list[AttendanceMark]:
    return list(
        justification.marks.select_related("kind", "lesson__subject", "lesson__slot").order_by(
            "date", "lesson__slot__number"
        )
    )
