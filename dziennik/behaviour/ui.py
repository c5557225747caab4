"""Behaviour notes in the navigation and on the home page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.accounts.children import active_child_id
from dziennik.core.cache import app_scopes, config_scope
from dziennik.core.extensions import HomePanel, NavItem
from dziennik.schools import selectors as school_selectors
from dziennik.schools.viewer import Viewer

from . import permissions, selectors


def nav_items(viewer: Viewer) -> list[NavItem]:
    if viewer.school_id is None:
        return []
    if viewer.is_staff_member or viewer.is_parent or viewer.is_student:
        # Staff have many pages: notes share a menu with the announcements.
        group = "communication" if viewer.is_staff_member else ""
        return [
            NavItem(_("Notes"), reverse("behaviour:index"), order=42, key="behaviour", group=group)
        ]
    return []


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    """Parents and students: the chosen child's notes of the last two weeks."""
    if not (viewer.is_parent or viewer.is_student):
        return []
    student_id = active_child_id(request)
    if student_id is None:
        return []
    notes = selectors.recent_notes(viewer, student_id)
    if not notes:
        return []
    return [
        HomePanel(
            "behaviour/_home_panel.html", {"notes": notes, "student_id": student_id}, order=35
        )
    ]


def related_links(viewer: Viewer, place: str, obj) -> list[NavItem]:
    """Where the class teacher sets behaviour grades: the class's notes and points; on a
    student's page: their notes (the way a teacher of a group reaches them)."""
    if place == "student":
        return [
            NavItem(
                _("Behaviour notes"),
                reverse("behaviour:student", args=[obj.pk]),
                key="behaviour",
            )
        ]
    if place != "class_behaviour_grades":
        return []
    if not permissions.class_notes.check(viewer, "summary", obj):
        return []
    return [
        NavItem(
            _("The class's behaviour notes and points"),
            reverse("behaviour:class", args=[obj.pk]),
            key="behaviour",
        )
    ]


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    """The chosen child's notes: the school's configuration, the child and their
    family's classes' register data."""
    student_id = active_child_id(request)
    if student_id is None:
        return [config_scope(viewer.school_id)]
    return list(app_scopes("behaviour", school_selectors.child_cache_scopes(viewer, student_id)))
