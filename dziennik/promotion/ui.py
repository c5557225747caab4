"""The promotion lists: in the school menu of the principal and the office; for a class
teacher, a link on their class's grade summary (the top bar stays one row)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from . import permissions


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not (viewer.is_authenticated and viewer.is_school_wide):
        return []
    return [
        NavItem(
            _("Promotion"), reverse("promotion:index"), order=78, key="promotion", group="school"
        )
    ]


def related_links(viewer: Viewer, place: str, obj) -> list[NavItem]:
    """The class's grade summary links its promotion list."""
    if place != "class_grade_summary" or not permissions.promotion_classes.check(
        viewer, "view", obj
    ):
        return []
    return [
        NavItem(_("Promotion list"), reverse("promotion:class", args=[obj.pk]), key="promotion")
    ]
