"""The notifications in the navigation: the school office's dead-letter list. The
centre itself is linked from the header of every page (``base.html``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from . import permissions


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.may_manage(viewer):
        return []
    return [
        NavItem(
            _("Undelivered notifications"),
            reverse("notifications:dead_letters"),
            order=90,
            key="dead_letters",
            group="school",
        ),
        NavItem(_("SMS"), reverse("notifications:sms"), order=91, key="sms", group="school"),
    ]
