from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem


def nav_items(viewer):
    if viewer.is_staff_member:
        return [
            NavItem(
                _("Classes"), reverse("schools:class_list"), order=20, key="classes", group="school"
            )
        ]
    return []
