"""The cache scope (``core.cache``) of one person's mailbox: what the header's unread
counter and the home page's "new messages" panel show."""

from __future__ import annotations

from dziennik.core.cache import Scope


def mailbox_scope(user_id: int) -> Scope:
    """Moved by every delivery to, read by, or move or removal in the user's mailbox."""
    return ("mailbox", user_id)
