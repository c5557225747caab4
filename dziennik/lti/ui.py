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
    return [NavItem(_("Learning tools"), reverse("lti:links"), order=34, key="lti")]
