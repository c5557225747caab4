"""Learning tools in the navigation: the links for students and teachers (the
principal reaches the tools from the e-learning platforms' page)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer


def nav_items(viewer: Viewer) -> list[NavItem]:
    if viewer.school_id is None or not (viewer.is_teacher or viewer.is_student):
        return []
    # In the "Communication" menu: the top bar stays one row at 1280 px.
    return [
        NavItem(
            _("Learning tools"),
            reverse("lti:links"),
            order=57,
            key="lti",
            group="communication",
        )
    ]
