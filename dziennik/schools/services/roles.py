"""Staff roles: granting and revoking a role in a school.

A role is granted or revoked, never edited in place: changing the holder of the
principal's role row would be a grant of that role. Whoever grants or revokes may do so
only for roles below their own (``permissions.grantable_roles``): a secretary cannot
make herself, or anyone, principal or secretary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import permissions
from ..models import School, SchoolRole
from ..viewer import get_viewer
from . import recording

if TYPE_CHECKING:
    from dziennik.accounts.models import User


def _require_rank(actor: User | None, school_id: int, role: str) -> None:
    """``PermissionDenied`` unless ``actor`` may grant and revoke ``role`` in the school
    (``actor=None`` is the system itself)."""
    if actor is None:
        return
    if role not in permissions.grantable_roles(get_viewer(actor), school_id):
        raise PermissionDenied


@transaction.atomic
def school_role_grant(*, actor: User | None, school: School, user: User, role: str) -> SchoolRole:
    """Give ``user`` (an account of the school) ``role`` there."""
    _require_rank(actor, school.pk, role)
    return recording.create(actor, SchoolRole(school=school, user=user, role=role))


@transaction.atomic
def school_role_revoke(*, actor: User | None, school_role: SchoolRole) -> None:
    """Take a role away (only a role below the actor's own)."""
    _require_rank(actor, school_role.school_id, school_role.role)
    recording.delete(actor, school_role)
