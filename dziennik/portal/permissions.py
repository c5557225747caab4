"""Who may browse the history of changes: the school's office (L-04)."""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.models import AuditEntry
from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.permissions import manages_school
from dziennik.schools.viewer import Viewer


def can_browse_history(viewer: Viewer) -> bool:
    """The principal, the deputy and the secretary browse their school's history."""
    return manages_school(viewer)


class AuditEntryPolicy(Policy):
    """``view``: the entries of the school whose office the viewer runs."""

    model = AuditEntry
    actions = ("view",)

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not can_browse_history(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: AuditEntry) -> bool | None:
        return can_browse_history(viewer) and obj.school_id == viewer.school_id


history = AuditEntryPolicy()
