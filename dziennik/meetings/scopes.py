"""The cache scope (``core.cache``) of what the meetings' home panels show."""

from __future__ import annotations

from dziennik.core.cache import Scope


def meetings_scope(school_id: int) -> Scope:
    """A school's consultation hours, bookings and class meetings: moved by every write."""
    return ("meetings", school_id)
