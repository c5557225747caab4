"""KeyStroke's reads: always the viewer's own profile and unusual logins, nobody else's."""

from __future__ import annotations

import datetime

from django.db.models import Exists
from django.utils import timezone

from dziennik.schools.viewer import Viewer

from . import services
from .models import KeystrokeProfile, KeystrokeSettings, UnusualLogin

SHOWN_FOR = datetime.timedelta(days=90)


def own_profile(viewer: Viewer) -> KeystrokeProfile | None:
    if viewer.user_id is None:
        return None
    return KeystrokeProfile.objects.filter(user_id=viewer.user_id).first()


def own_unusual_logins(viewer: Viewer, *, unseen_only: bool = False) -> list[UnusualLogin]:
    """The viewer's unusual logins of the last 90 days, newest first (at most 20)."""
    if viewer.user_id is None:
        return []
    rows = UnusualLogin.objects.filter(user_id=viewer.user_id, at__gte=timezone.now() - SHOWN_FOR)
    if unseen_only:
        rows = rows.filter(seen_at__isnull=True)
    return list(rows.order_by("-at", "-pk")[:20])


def required_but_off(viewer: Viewer) -> bool:
    """Whether the viewer is staff of a school that asks its staff to turn KeyStroke on,
    and has not."""
    if viewer.user_id is None or viewer.school_id is None or not viewer.is_staff_member:
        return False
    has_profile = Exists(KeystrokeProfile.objects.filter(user_id=viewer.user_id))
    asking = KeystrokeSettings.objects.filter(school_id=viewer.school_id, required_for_staff=True)
    return asking.exclude(has_profile).exists()  # one query


def school_settings(viewer: Viewer):
    return services.settings_of(viewer.school_id)
