"""The cache scopes (``core.cache``) of what the board shows: a school's announcements,
and what one reader has read. The family home page (cached whole) depends on both."""

from __future__ import annotations

from dziennik.core.cache import Scope


def board_scope(school_id: int) -> Scope:
    """A school's announcements: moved by every publication, correction, withdrawal."""
    return ("notices", school_id)


def reader_scope(user_id: int) -> Scope:
    """What one reader has read: moved when the board marks announcements read."""
    return ("notice-reads", user_id)
