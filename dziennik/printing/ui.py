"""The printing page: in the school menu of the school office; for a teacher or a class
teacher, a link on the class's grade summary (their top bar stays one row)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from . import permissions


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.is_office(viewer):
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


def related_links(viewer: Viewer, place: str, obj) -> list[NavItem]:
    """The class's grade summary links the printing of its journals, for whoever may
    print one of them."""
    if place != "class_grade_summary" or not permissions.allowed_for_class(viewer, obj):
        return []
    url = f"{reverse('printing:index')}?year={obj.school_year_id}"
    return [NavItem(_("Printing of the journals"), url, key="printing")]
