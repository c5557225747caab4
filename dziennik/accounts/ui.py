from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from .permissions import can_manage_staff_accounts


def nav_items(viewer: Viewer) -> list[NavItem]:
    if can_manage_staff_accounts(viewer):
        # Next to the other school-wide administration pages (history, import).
        return [
            NavItem(
                _("Staff accounts"),
                reverse("accounts:staff_accounts"),
                order=84,
                key="staff",
                group="school",
            )
        ]
    return []
