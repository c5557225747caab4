"""The school's e-learning platforms in the principal's navigation."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from . import permissions


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.manages_platforms(viewer):
        return []
    return [
        NavItem(
            _("E-learning platforms"),
            reverse("sso:platforms"),
            order=88,
            key="sso",
            group="school",
        )
    ]
