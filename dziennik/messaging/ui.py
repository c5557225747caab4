"""Messages in the navigation, the top bar (the unread counter) and on the home page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.cache import config_scope
from dziennik.core.extensions import HeaderLink, HomePanel, NavItem
from dziennik.schools.viewer import Viewer

from . import permissions, selectors
from .scopes import mailbox_scope


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.may_write(viewer):
        return []
    return [
        NavItem(
            _("Messages"),
            reverse("messaging:inbox"),
            order=54,
            key="messages",
            group="communication",
        )
    ]


def header_links(viewer: Viewer) -> list[HeaderLink]:
    if not permissions.may_write(viewer):
        return []
    return [
        HeaderLink(
            _("Inbox"),
            reverse("messaging:inbox"),
            key="messages",
            count_url=reverse("messaging:unread"),
            icon="messaging/_icon.svg",
        )
    ]


def home_scopes(viewer: Viewer) -> list[tuple]:
    if not permissions.may_write(viewer):
        return []
    return [mailbox_scope(viewer.user_id)]


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    """Everyone of a school: the messages they have not read yet."""
    if not permissions.may_write(viewer):
        return []
    newest, total = selectors.unread_newest(viewer)
    if not total:
        return []
    return [HomePanel("messaging/_home_panel.html", {"newest": newest, "total": total}, order=4)]


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    return [config_scope(viewer.school_id), *home_scopes(viewer)]
