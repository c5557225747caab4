"""KeyStroke on the home page: the owner's unseen unusual logins, and staff asked to
turn it on."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.cache import config_scope
from dziennik.core.extensions import HomePanel, NavItem
from dziennik.schools.viewer import Viewer

from . import export, selectors
from .scopes import events_scope


def home_scopes(viewer: Viewer) -> list[tuple]:
    if viewer.user_id is None:
        return []
    return [events_scope(viewer.user_id)]


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    panels = []
    unusual = selectors.own_unusual_logins(viewer, unseen_only=True)
    if unusual:
        panels.append(HomePanel("keystroke/_home_panel.html", {"unusual_logins": unusual}, order=1))
    if selectors.required_but_off(viewer):
        panels.append(HomePanel("keystroke/_required_panel.html", order=2))
    return panels


def related_links(viewer: Viewer, place: str, obj) -> list[NavItem]:
    """Beside the password and the second factor in the account's settings."""
    if place != "account_security" or viewer.user_id is None:
        return []
    return [
        NavItem(
            _("KeyStroke: the rhythm of typing"), reverse("keystroke:settings"), key="keystroke"
        )
    ]


def personal_data(user) -> dict:
    """KeyStroke's part of the person's data export (``dziennik.privacy``)."""
    return export.personal_data(user)


def personal_data_models() -> dict[str, str]:
    reason = _(
        "Summarised by KeyStroke's own part of the export: whether it is on, the consent, "
        "the number of typings and the unusual logins; never the timing vectors "
        "(biometric data no member of staff may read, docs/keystroke.md)."
    )
    return {"keystroke.KeystrokeProfile": reason, "keystroke.UnusualLogin": reason}


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    return [config_scope(viewer.school_id), *home_scopes(viewer)]
