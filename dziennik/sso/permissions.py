"""Who manages the school's e-learning platforms, and who may log in through one.

* **Platforms** (``platforms``): ``manage`` (see the list, register, edit, revoke) – the
  principal and deputy principals of the platform's school; nobody of another school.
* **Logging in through a platform** (``login_refusal``): a person of the platform's
  school, in one of the roles the school allowed for it, while it is active. Anyone
  else is refused with a page that says why (the platform never hears of them).
* **The resource API** answers about the token owner's own students only
  (``own_student_ids``: themselves as a student, their children with full access).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.viewer import Viewer

from . import entitlement
from .models import Platform

# A person's roles for a platform, most senior first: the ``role`` claim is the first of
# them the platform allows.
ROLE_ORDER = (
    Platform.Role.PRINCIPAL,
    Platform.Role.SECRETARY,
    Platform.Role.TEACHER,
    Platform.Role.PARENT,
    Platform.Role.STUDENT,
)


def manages_platforms(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None and viewer.is_principal


class PlatformPolicy(Policy):
    model = Platform
    actions = ("manage",)

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not manages_platforms(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: Platform) -> bool:
        return manages_platforms(viewer) and obj.school_id == viewer.school_id


platforms = PlatformPolicy()


def roles_of(viewer: Viewer) -> list[str]:
    """The viewer's roles in the platforms' terms, most senior first."""
    held = {
        Platform.Role.PRINCIPAL: viewer.is_principal,
        Platform.Role.SECRETARY: viewer.is_secretary,
        Platform.Role.TEACHER: viewer.is_teacher,
        Platform.Role.PARENT: viewer.is_parent,
        Platform.Role.STUDENT: viewer.is_student,
    }
    return [str(role) for role in ROLE_ORDER if held[role]]


def login_roles(platform: Platform, viewer: Viewer) -> list[str]:
    """The viewer's roles the platform lets log in, most senior first."""
    return [role for role in roles_of(viewer) if role in platform.roles]


def login_refusal(platform: Platform, viewer: Viewer) -> str | None:
    """Why the viewer may not log in through the platform, or None when they may."""
    if not platform.active:
        return _("The school has switched this platform off.")
    if viewer.user_id is None or viewer.school_id != platform.school_id:
        return _("This platform belongs to another school; log in with an account of it.")
    roles = login_roles(platform, viewer)
    if not roles:
        return _("The school does not let your role log in to this platform.")
    if entitlement.family_kept_out(platform, viewer, roles, timezone.localdate()):
        return _(
            "This platform comes with the e-learning offer of the access plans; your "
            "family's plan does not include it."
        )
    return None


def own_student_ids(viewer: Viewer) -> frozenset[int]:
    """The students the API answers about: the viewer as a student and their children
    (full access only, ``Viewer.child_ids``)."""
    own = set(viewer.child_ids)
    if viewer.student_id is not None:
        own.add(viewer.student_id)
    return frozenset(own)
