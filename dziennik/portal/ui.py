from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.permissions import manages_school
from dziennik.schools.viewer import Viewer

from .permissions import can_browse_history


def nav_items(viewer: Viewer) -> list[NavItem]:
    items = []
    if can_browse_history(viewer):
        items.append(
            NavItem(
                _("History"), reverse("portal:history"), order=80, key="history", group="school"
            )
        )
    if manages_school(viewer):
        # The import belongs to schools; its entry sits here with the other school-wide
        # administration pages.
        items.append(
            NavItem(_("Import"), reverse("schools:import"), order=85, key="import", group="school")
        )
    return items
