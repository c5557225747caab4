"""Data-subject rights in the navigation: the school office's requests to correct data.
Everyone reaches "My data" from the account's menu (``base.html``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

from . import permissions


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.handles_requests(viewer):
        return []
    return [
        NavItem(
            _("Data correction requests"),
            reverse("privacy:requests"),
            order=86,
            key="privacy_requests",
            group="school",
        )
    ]
