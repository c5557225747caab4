"""Who may export whose data, file and answer rectification requests, and read the log.

- A person exports their own data; a parent also their children's (``viewer.child_ids``:
  never a guardian limited by a court order, never the parents of an adult student who
  restricts them, P-03, P-04); the principal anyone's in the school (recorded).
- A person files a rectification request about themself or a child; the school office
  (principal, deputy, secretary) sees and answers its school's requests.
- Only the family sees who read a student's data: the student and the parents with
  access (``viewer.child_ids``).
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.viewer import Viewer

from .models import RectificationRequest


def own_student_ids(viewer: Viewer) -> frozenset[int]:
    """The students whose data the viewer holds as family: themself and their children."""
    own = {viewer.student_id} if viewer.student_id is not None else set()
    return frozenset(own | set(viewer.child_ids))


def may_export_user(viewer: Viewer, user) -> bool:
    if user.pk == viewer.user_id:
        return True
    return viewer.is_principal and user.school_id is not None and user.school_id == viewer.school_id


def may_export_student(viewer: Viewer, student) -> bool:
    if student.pk in own_student_ids(viewer):
        return True
    return viewer.is_principal and student.school_id == viewer.school_id


def may_export_anyone(viewer: Viewer) -> bool:
    return viewer.is_principal and viewer.school_id is not None


def may_see_reads(viewer: Viewer, student_id: int) -> bool:
    return student_id in own_student_ids(viewer)


def may_file_request(viewer: Viewer) -> bool:
    return viewer.is_authenticated and viewer.school_id is not None


def handles_requests(viewer: Viewer) -> bool:
    return viewer.is_school_wide and viewer.school_id is not None


class RectificationRequests(Policy):
    """A request is seen by whoever filed it and by its school's office, which answers."""

    model = RectificationRequest
    actions = ("view", "answer")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if viewer.user_id is None:
            return NOTHING
        office = Q(school_id=viewer.school_id) if handles_requests(viewer) else NOTHING
        if action == "answer":
            return office
        return Q(requester_id=viewer.user_id) | office

    def check(self, viewer: Viewer, action: str, obj: RectificationRequest) -> bool | None:
        office = handles_requests(viewer) and obj.school_id == viewer.school_id
        if action == "answer":
            return office
        return office or obj.requester_id == viewer.user_id


requests = RectificationRequests()
