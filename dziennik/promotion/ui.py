"""The promotion lists in the school menu of the principal, the office and class teachers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from . import permissions


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.uses_promotion(viewer):
        return []
    return [
        NavItem(
            _("Promotion"), reverse("promotion:index"), order=78, key="promotion", group="school"
        )
    ]
