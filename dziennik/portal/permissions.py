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


# The history of records only those who decide on them may read: an excuse's reason
# and attachment (``attendance.permissions.justifications``, L-19, P-08).
DECIDERS_ONLY = (("attendance", "justification"),)


class AuditEntryPolicy(Policy):
    """``view``: the entries of the school whose office the viewer runs; the secretary
    not those of excuses, which she may not read (their reasons are in the history)."""

    model = AuditEntry
    actions = ("view",)

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not can_browse_history(viewer):
            return NOTHING
        q = Q(school_id=viewer.school_id)
        if not viewer.is_principal:
            for app_label, model in DECIDERS_ONLY:
                q &= ~Q(content_type__app_label=app_label, content_type__model=model)
        return q

    def check(self, viewer: Viewer, action: str, obj: AuditEntry) -> bool | None:
        if not can_browse_history(viewer) or obj.school_id != viewer.school_id:
            return False
        return True if viewer.is_principal else None


history = AuditEntryPolicy()
