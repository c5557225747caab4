"""When a user last opened a student's grades (what is newer is marked "new"), with
a cached copy that ``services.grade_visit_record`` writes through.
"""

from __future__ import annotations

import datetime

from dziennik.core.cache import ENTRY_TIMEOUT, cache, take

from ..models import GradeVisit


def visit_cache_key(user_id: int, student_id: int) -> str:
    return f"grade-visit:{user_id}:{student_id}"


def last_visit(user_id: int, student_id: int) -> datetime.datetime | None:
    """When the user last saw the student's grades; the cache keeps a copy, written
    through by ``services.grade_visit_record``."""
    found = take(visit_cache_key(user_id, student_id))  # read ahead by the grade pages
    if found is not None:
        return found[1]
    seen = (
        GradeVisit.objects.filter(user_id=user_id, student_id=student_id)
        .values_list("seen_at", flat=True)
        .first()
    )
    remember_visit(user_id, student_id, seen)
    return seen


def remember_visit(user_id: int, student_id: int, seen: datetime.datetime | None) -> None:
    """Keep the cached copy of the mark (``None``: no visit yet) in step with the row."""
    cache.set(visit_cache_key(user_id, student_id), ("seen", seen), ENTRY_TIMEOUT)
