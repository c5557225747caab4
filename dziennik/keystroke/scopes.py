"""The cache scope (``core.cache``) of what KeyStroke shows on the family home page."""

from __future__ import annotations

from dziennik.core.cache import Scope


def events_scope(user_id: int) -> Scope:
    """One person's unusual logins: moved when one is recorded or seen."""
    return ("keystroke-events", user_id)
