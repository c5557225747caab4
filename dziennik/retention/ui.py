"""The retention screen in the principal's navigation."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from . import permissions


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.may_destroy(viewer):
        return []
    return [
        NavItem(
            _("Retention of records"),
            reverse("retention:index"),
            order=96,
            key="retention",
            group="school",
        )
    ]
