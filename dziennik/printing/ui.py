"""The printing page in the school menu of the staff who may print a journal."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from .permissions import may_print


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not may_print(viewer):
        return []
    return [
        NavItem(
            _("Printing of the journals"),
            reverse("printing:index"),
            order=86,
            key="printing",
            group="school",
        )
    ]
