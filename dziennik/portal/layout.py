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

from django.conf import settings
from django.utils.translation import get_language

from dziennik.accounts.children import active_child_id
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


def header_key(request, viewer: Viewer) -> tuple[str, list[Scope]] | None:
    """The cache key of the whole header of ``viewer``'s page (``{% header %}``: the top
    bar, the account menu, the child switcher) and its scopes; ``None`` when it is not
    kept (no CSRF cookie yet: the page's forms would carry a token of a secret the
    browser does not have). Personal: kept per user, language, page (the current page is
    marked, the forms come back to it), chosen child and CSRF secret (the forms' token),
    per version of the school's configuration (names, roles, children, classes)."""
    # the secret the page's tokens are made from (the browser's cookie, or the one a
    # login of this request rotated to: ``django.middleware.csrf``)
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not csrf_secret or not request.COOKIES.get(settings.CSRF_COOKIE_NAME):
        return None
    parts = "|".join(
        (
            str(viewer.user_id),
            get_language() or "",
            request.get_full_path(),
            str(active_child_id(request)),
            hashlib.sha256(csrf_secret.encode()).hexdigest()[:16],
        )
    )
    digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
    return f"layout-header:{digest}", [config_scope(viewer.school_id)]


def read_header_ahead(request) -> None:
    """A kept page about to be rendered afresh reads its header with its other parts
    (``core.cache.render_listeners``): one cache round trip fewer."""
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.is_authenticated:
        found = header_key(request, viewer)
        if found is not None:
            read_ahead(found[0], *found[1])
