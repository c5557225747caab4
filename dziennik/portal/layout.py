"""The layout's navigation (``base.html``'s top bar: the menus, the notification bell
and the header links), rendered once per what it depends on and kept in the cache.

Every page of a logged-in user draws the same top bar; building it (a dozen apps'
``nav_items`` and ``header_links``, some twenty links reversed, the menus grouped) costs
a few milliseconds, on a page built afresh too. What it shows depends on the viewer only
through ``navigation_signature`` – the school, the roles and the kinds of people the
viewer is – which come from the school's configuration, so it is kept per version of
``config_scope(school)``, per language and per path (the current page is marked in it).
Nothing personal is in the kept part: the person's name, the account menu with its
log-out form (the CSRF token), the child switcher and the counters (loaded after the
page) stay outside it. ``portal/tests/test_layout_cache.py`` holds the apps' ``nav_items``
and ``header_links`` to this: viewers of the same signature get the same bar.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import get_language

from dziennik.core.cache import Scope, config_scope, read_ahead
from dziennik.schools.viewer import Viewer


def navigation_signature(viewer: Viewer) -> str:
    """What of the viewer the top bar's entries may depend on."""
    return ".".join(
        (
            str(viewer.school_id),
            ",".join(sorted(viewer.roles)),
            "P" if viewer.is_parent else "",
            "S" if viewer.is_student else "",
            "C" if viewer.is_class_teacher else "",
            "T" if viewer.is_teacher else "",
            "F" if viewer.child_ids or viewer.student_id else "",
            "U" if viewer.is_superuser else "",
        )
    )


def navigation_key(viewer: Viewer, path: str) -> tuple[str, list[Scope]]:
    """The cache key of the top bar for ``viewer`` on the page ``path``, and its scopes."""
    parts = f"{navigation_signature(viewer)}|{get_language() or ''}|{path}"
    digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
    return f"layout-nav:{digest}", [config_scope(viewer.school_id)]


def read_navigation_ahead(request) -> None:
    """A kept page about to be rendered afresh reads its top bar with its other parts
    (``core.cache.render_listeners``): one cache round trip fewer."""
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.is_authenticated:
        key, scopes = navigation_key(viewer, request.path)
        read_ahead(key, *scopes)
