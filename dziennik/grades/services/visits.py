"""The "last seen" mark of a student's grades (not register data: no history)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.accounts.models import User

from .. import selectors
from ..models import GradeVisit


def grade_visit_record(*, user: User, student_id: int, at: datetime.datetime | None = None) -> None:
    """Remember when the user last saw the student's grades (not register data)."""
    at = at or timezone.now()
    if not GradeVisit.objects.filter(user_id=user.pk, student_id=student_id).update(seen_at=at):
        GradeVisit.objects.create(user_id=user.pk, student_id=student_id, seen_at=at)
    selectors.remember_visit(user.pk, student_id, at)


VISIT_REFRESH = datetime.timedelta(minutes=5)


def grade_visit_seen(
    *,
    user: User,
    student_id: int,
    last_seen: datetime.datetime | None,
    had_new: bool,
    at: datetime.datetime | None = None,
) -> bool:
    """Move the "last seen" mark after a visit, but only when it changes something.

    Called after the page has worked out what was new. The mark moves when the page
    showed new grades (they are seen now) or when it is older than ``VISIT_REFRESH``;
    otherwise a reload writes nothing. Returns whether it wrote.
    """
    at = at or timezone.now()
    if last_seen is not None and not had_new and at - last_seen < VISIT_REFRESH:
        return False
    grade_visit_record(user=user, student_id=student_id, at=at)
    return True
