"""The parts of a family's home page, each kept rendered per version of what it shows.

The whole page is kept too (``views.FAMILY_HOME``), but any new grade, absence or message
of the family moves it on. Its parts are then taken from the cache where they are still
current: every app's panels on their own (per the scopes its ``home_panel_scopes``
names, or the whole page's when it names none, ``core.extensions``), and the chosen
child's class and subjects (the school's configuration only). So a new grade rebuilds the
panels that show grades, and not the announcements, the meetings or the lucky number.

Every part's key carries the viewer, the language, the chosen child, the plan's gate
(which panels it refuses now) and the day (panels count from "today"); a panel may also
run out at a moment of the day (``HomePanel.valid_until``: a meeting that has ended).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from dziennik.accounts.children import active_child_id
from dziennik.core import cache
from dziennik.core.extensions import HomePanel, home_panel_sources
from dziennik.plans import gating
from dziennik.schools.viewer import Viewer

Scope = tuple


def _key(request, viewer: Viewer, name: str, now) -> str:
    """The key of a part, with what every part of the family home page varies by (its
    versions are kept in the entry: ``core.cache.cached_parts``)."""
    parts = (
        name,
        str(viewer.user_id),
        get_language() or "",
        str(active_child_id(request)),
        *gating.home_vary(request),
        timezone.localdate(now).isoformat(),
    )
    return "home-part:" + hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


Built = tuple["datetime.datetime | None", object]  # (valid until, value)
# The shape of a kept part (``Built``, ``core.cache.cached_parts(shape=)``): moved
# whenever what a part holds changes shape, never the parts' key.
PANEL_SHAPE = 1


def _kept_many(
    parts: dict[str, tuple[str, tuple[Scope, ...], Callable[[], Built]]], now
) -> dict[str, object]:
    """Each part's value (``parts``: name → (key, scopes, build)), from the cache while
    current – the versions and the entries in one round trip –, else built and kept."""
    kept = cache.cached_parts(
        {name: (key, scopes) for name, (key, scopes, _b) in parts.items()}, shape=PANEL_SHAPE
    )
    values, fresh = {}, {}
    for name, (_key, _scopes, build) in parts.items():
        hit = kept.found.get(name)
        if hit is not None and (hit[0] is None or now < hit[0]):
            values[name] = hit[1]
            continue
        for listener in cache.fill_listeners:
            listener()
        fresh[name] = built = build()
        values[name] = built[1]
    kept.keep(fresh)
    return values


def _render(request, panels: list[HomePanel]) -> list[tuple[int, SafeString]]:
    # ``render_to_string``'s SafeString stays one through the cache (pickled as it is)
    return [
        (panel.order, render_to_string(panel.template, {"panel": panel.context}, request))
        for panel in panels
    ]


def family_panels(request, viewer: Viewer, page_scopes: Iterable[Scope]) -> list[SafeString]:
    """The home panels of a family (a parent or a student who is not staff), rendered, in
    the order the home page shows them."""
    page_scopes = tuple(page_scopes)
    now = timezone.now()
    parts = {}
    for label, module in home_panel_sources():
        narrow = getattr(module, "home_panel_scopes", None)
        scopes = tuple(narrow(request, viewer)) if narrow is not None else page_scopes

        def build(module=module) -> Built:
            panels = module.home_panels(request, viewer)
            ends = [panel.valid_until for panel in panels if panel.valid_until is not None]
            return (min(ends) if ends else None), _render(request, panels)

        parts[label] = (_key(request, viewer, f"panels:{label}", now), scopes, build)
    # every part's versions and entry in one round trip
    values = _kept_many(parts, now)
    rendered = [item for label in parts for item in values[label]]
    rendered.sort(key=lambda item: item[0])  # stable: the apps' order within an order
    return [html for _order, html in rendered]


def _overview_key(request, viewer: Viewer, student_pk: int, heading_id: str, now) -> str:
    return _key(request, viewer, f"overview:{heading_id}:{student_pk}", now)


def read_overview_ahead(request, viewer: Viewer, student_pk: int, *, heading_id: str) -> None:
    """``student_overview``'s entry, read with the panels (``core.cache.read_ahead``)."""
    cache.read_ahead(_overview_key(request, viewer, student_pk, heading_id, timezone.now()))


def student_overview(
    request, viewer: Viewer, student, overview: Callable[[], dict], *, heading_id: str
) -> SafeString:
    """One student's class and subjects (``portal/home_student_overview.html``, with
    ``overview()``, ``schools.selectors.student_overview``), kept per version of the
    school's configuration (enrolments, assignments, groups, names)."""

    def build() -> tuple[None, SafeString]:
        context = {"student": student, "overview": overview(), "heading_id": heading_id}
        return None, render_to_string("portal/home_student_overview.html", context, request)

    now = timezone.now()
    scopes = (cache.config_scope(viewer.school_id),)
    key = _overview_key(request, viewer, student.pk, heading_id, now)
    return _kept_many({"overview": (key, scopes, build)}, now)["overview"]
