"""The lucky number on the home page of everyone of the school."""

from __future__ import annotations

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
