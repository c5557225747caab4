"""The "last seen" mark of a student's grades (not register data: no history)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.accounts.models import User

from .. import selectors
from ..models import GradeVisit


def grade_visit_record(*, user: User, student_id: int, at: datetime.datetime | None = None) -> None:
    """Remember when the user last saw the student's grades (not register data).

    One upsert: two tabs (or a parent's two devices) opening the page at once must not
    both try to insert the first mark (the fault drill saw that race as a 500)."""
    at = at or timezone.now()
    GradeVisit.objects.bulk_create(
        [GradeVisit(user_id=user.pk, student_id=student_id, seen_at=at)],
        update_conflicts=True,
        unique_fields=["user", "student"],
        update_fields=["seen_at"],
    )
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
