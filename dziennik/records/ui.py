"""The records page in the school menu of the principal and the school's administrator."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from .permissions import may_export


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not may_export(viewer):
        return []
    return [
        NavItem(
            _("Register export (XML)"),
            reverse("records:index"),
            order=85,
            key="records",
            group="school",
        )
    ]
