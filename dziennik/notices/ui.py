"""The announcement board in the navigation and on the home page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.cache import config_scope
from dziennik.core.extensions import HomePanel, NavItem
from dziennik.schools.viewer import Viewer

from . import selectors
from .scopes import board_scope, reader_scope


def nav_items(viewer: Viewer) -> list[NavItem]:
    if viewer.school_id is None:
        return []
    # One menu with the messages (and, for staff, the notes and the calendar): the top bar
    # of a family stays one row at 1280 px.
    group = "communication"
    return [
        NavItem(_("Announcements"), reverse("notices:board"), order=55, key="notices", group=group)
    ]


def home_scopes(viewer: Viewer) -> list[tuple]:
    if viewer.school_id is None or viewer.user_id is None:
        return []
    return [board_scope(viewer.school_id), reader_scope(viewer.user_id)]


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    """Everyone of a school: the announcements they have not read yet."""
    if viewer.school_id is None:
        return []
    newest, total = selectors.unread(viewer)
    if not total:
        return []
    return [HomePanel("notices/_home_panel.html", {"newest": newest, "total": total}, order=5)]


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    return [config_scope(viewer.school_id), *home_scopes(viewer)]
