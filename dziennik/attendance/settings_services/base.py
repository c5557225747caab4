"""What every write to the school's attendance rules starts with: who the actor manages
the rules of, the lock on the school, collecting errors by field."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from dziennik.accounts.models import User
from dziennik.schools.models import School
from dziennik.schools.viewer import get_viewer

from .. import permissions


def school_of(actor: User) -> int:
    """The actor's school, when they may manage its attendance rules."""
    viewer = get_viewer(actor)
    if not permissions.can_manage_rules(viewer):
        raise PermissionDenied
    return viewer.school_id


def lock_school(school_id: int) -> None:
    """Serialise the writes to one school's rules, so that those checked over the whole
    set of kinds (one active "present" kind, distinct shortcuts) hold after concurrent
    edits. ``no_key``: other rows may still refer to the school meanwhile."""
    list(School.objects.select_for_update(no_key=True).filter(pk=school_id).only("pk"))


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)
