"""The lucky number on the home page of everyone of the school."""

from __future__ import annotations

from dziennik.core.cache import config_scope
from dziennik.core.extensions import HomePanel
from dziennik.schools.viewer import Viewer

from . import permissions, services


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    if not permissions.sees_lucky_number(viewer):
        return []
    number = services.lucky_number_of_day(viewer.school_id)
    manages = permissions.manages_settings(viewer)
    if number is None and not manages:
        return []
    return [HomePanel("lucky/_home_panel.html", {"number": number, "manages": manages}, order=1)]


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    """The number of the day is kept per the school's configuration (the day is in the
    home page's key)."""
    return [config_scope(viewer.school_id)]
