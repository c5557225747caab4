"""The timetable's entries in the navigation."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer


def nav_items(viewer: Viewer) -> list[NavItem]:
    if viewer.is_teacher:
        return [NavItem(_("Timetable"), reverse("timetable:teacher"), order=31, key="timetable")]
    if viewer.is_parent or viewer.is_student or viewer.is_school_wide:
        return [NavItem(_("Timetable"), reverse("timetable:index"), order=35, key="timetable")]
    return []
