"""How apps add to the shared screens without touching each other's code.

An app may have a module ``<app>/ui.py`` defining:

* ``nav_items(viewer) -> list[NavItem]`` – entries for the main navigation;
* ``home_panels(request, viewer) -> list[HomePanel]`` – panels on the home page;
* ``home_scopes(viewer) -> list[Scope]`` – the cache scopes (``core.cache``) of what
  the app's home panels show beyond the family's register data (the school's
  announcements, what the reader has read), so that the family's cached home page moves
  on when they change;
* ``home_panel_scopes(request, viewer) -> list[Scope]`` – for a family (a parent or a
  student), exactly the cache scopes the app's home panels are computed from. The
  portal keeps each app's panels rendered per version of them (with the viewer, the
  language, the chosen child, the plan's gate and the day in the key), so a new grade
  rebuilds the panels that show grades and not the announcements. Without it an app's
  panels are kept per all the scopes of the family's home page. A panel whose content
  runs out at a moment of the day (a meeting that ends) says so in ``valid_until``;
* ``related_links(viewer, place, obj) -> list[NavItem]`` – links a lower app's page
  shows to what a higher app has on the same thing (``place`` names the page, e.g.
  ``"class_behaviour_grades"`` with the class as ``obj``: behaviour notes link their
  class summary where the class teacher sets behaviour grades);
* ``annotate_week(viewer, occurrences) -> None`` – attach what the app knows of each
  timetable occurrence of a teacher's week (attendance: the lesson record, ``o.lesson``).
  The timetable is below the apps that know about its lessons, so they add to its page
  through this hook instead of the timetable importing them.
* ``header_links(viewer) -> list[HeaderLink]`` – links the top bar shows beside the
  person's name, each with an optional counter the page loads separately
  (``count_url``, htmx), so that pages cached whole never show a stale count
  (messages: the unread counter).
* ``calendar_entries(viewer, date_from, date_to) -> list[CalendarEntry]`` – what the app
  puts in the viewer's calendar between two dates (inclusive): tests, homework, trips,
  meetings. The calendar screens and the iCalendar feed (``timetable``) show them all.

* ``archive_parts(school_year) -> list[ArchivePart]`` – the files the app contributes to
  the signed year-end archive (L-10–L-12, ``dziennik.archive``): PDFs and XML documents
  of the year's register, each signed there (PAdES, XAdES) and listed in its manifest.

``core`` collects them from every installed ``dziennik.*`` app, in INSTALLED_APPS order.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.utils.translation import gettext_lazy as _

# Menus of the main navigation. An item names its menu by key; a menu that would hold one
# item only is shown as that item, so a teacher with one school page sees a plain link.
# Menus keep the top bar to one row at 1280 px for the roles with many pages.
NAV_GROUPS = {
    "attendance": _("Attendance"),
    "communication": _("Communication"),
    "school": _("School"),
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50
    key: str = ""
    group: str = ""


@dataclass(frozen=True)
class NavEntry:
    """One entry of the top bar: a link, or a menu of links (``items``)."""

    label: str
    url: str = ""
    key: str = ""
    items: tuple[NavItem, ...] = ()
    current: bool = False


def group_nav_items(items: list[NavItem], path: str) -> list[NavEntry]:
    """The top bar's entries: items of one menu together, where the menu's first item is."""
    members: dict[str, list[NavItem]] = {}
    for item in items:
        if item.group:
            members.setdefault(item.group, []).append(item)
    entries: list[NavEntry] = []
    for item in items:
        grouped = members.get(item.group, ())
        if len(grouped) > 1:
            if item is grouped[0]:
                entries.append(
                    NavEntry(
                        label=str(NAV_GROUPS.get(item.group, item.group)),
                        key=item.group,
                        items=tuple(grouped),
                        current=any(member.url == path for member in grouped),
                    )
                )
            continue
        entries.append(
            NavEntry(label=item.label, url=item.url, key=item.key, current=item.url == path)
        )
    return entries


@dataclass(frozen=True)
class HeaderLink:
    """A link of the top bar beside the person's name; ``count_url`` answers a small
    fragment with its counter (loaded after the page), whose root element carries
    ``data-count="<key>"``; ``icon`` names a template with an SVG drawn instead of the
    label (the label is then for screen readers only), to keep the bar one row."""

    label: str
    url: str
    key: str
    count_url: str = ""
    icon: str = ""


@dataclass
class HomePanel:
    """One panel of the home page: ``template`` rendered with ``panel`` = ``context``.
    ``valid_until``: when the panel, kept rendered (``home_panel_scopes``), is out of
    date by the clock alone (None: at the end of the day at the latest)."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 50
    valid_until: datetime.datetime | None = None


@dataclass(frozen=True)
class CalendarEntry:
    """One event of a person's calendar, from whichever app knows it.

    ``uid`` is stable across calls (the iCalendar feed's UID is made of it); ``starts`` and
    ``ends`` are aware datetimes, or None for an all-day event on ``date``; ``kind`` is a
    short key the calendar screens colour and filter by ("test", "quiz", "homework",
    "trip", "meeting", "school_event", "day_off", ...); ``class_id`` the class it is for
    (None: the whole school, or the person's own), by which staff filter the calendar.
    """

    uid: str
    title: str
    kind: str
    date: datetime.date
    starts: datetime.datetime | None = None
    ends: datetime.datetime | None = None
    url: str = ""
    description: str = ""
    location: str = ""
    kind_label: str = ""
    class_id: int | None = None


@dataclass(frozen=True)
class ArchivePart:
    """One file of a school year's signed archive: ``name`` is its path inside the
    archive (``journals/4a.pdf``), ``content_type`` ``application/pdf`` (signed with
    PAdES) or ``application/xml`` (signed with XAdES), ``build()`` makes its bytes (called
    in the archive's background task, one part after another, so it may take time)."""

    name: str
    content_type: str
    build: Callable[[], bytes]
    description: str = ""


@cache
def _ui_modules():
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dziennik."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.ui"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.ui":
                raise
    return modules


def collect_nav_items(viewer) -> list[NavItem]:
    items: list[NavItem] = []
    for module in _ui_modules():
        if hasattr(module, "nav_items"):
            items.extend(module.nav_items(viewer))
    return sorted(items, key=lambda item: item.order)


def collect_home_panels(request, viewer) -> list[HomePanel]:
    panels: list[HomePanel] = []
    for module in _ui_modules():
        if hasattr(module, "home_panels"):
            panels.extend(module.home_panels(request, viewer))
    return sorted(panels, key=lambda panel: panel.order)


def home_panel_sources() -> list[tuple[str, object]]:
    """``(app label, ui module)`` of every app with home panels, in INSTALLED_APPS order
    (the portal keeps each app's panels in the cache on its own)."""
    return [
        (module.__name__.split(".")[1], module)
        for module in _ui_modules()
        if hasattr(module, "home_panels")
    ]


def collect_header_links(viewer) -> list[HeaderLink]:
    links: list[HeaderLink] = []
    for module in _ui_modules():
        if hasattr(module, "header_links"):
            links.extend(module.header_links(viewer))
    return links


def collect_home_scopes(viewer) -> list[tuple]:
    scopes: list[tuple] = []
    for module in _ui_modules():
        if hasattr(module, "home_scopes"):
            scopes.extend(module.home_scopes(viewer))
    return scopes


def collect_related_links(viewer, place: str, obj) -> list[NavItem]:
    items: list[NavItem] = []
    for module in _ui_modules():
        if hasattr(module, "related_links"):
            items.extend(module.related_links(viewer, place, obj))
    return sorted(items, key=lambda item: item.order)


def annotate_week(viewer, occurrences) -> None:
    for module in _ui_modules():
        if hasattr(module, "annotate_week"):
            module.annotate_week(viewer, occurrences)


def collect_calendar_entries(viewer, date_from, date_to) -> list[CalendarEntry]:
    entries: list[CalendarEntry] = []
    for module in _ui_modules():
        if hasattr(module, "calendar_entries"):
            entries.extend(module.calendar_entries(viewer, date_from, date_to))
    return sorted(entries, key=lambda e: (e.date, e.starts is not None, e.starts or 0, e.uid))


# ``personal_data(user) -> dict`` – an app's own part of a person's data export (RODO art.
# 15/20, ``dziennik.privacy``), for what the generic export of rows must not show as they
# are (KeyStroke: a summary, never the timing vectors); ``personal_data_models() -> dict``
# names the models (``app_label.Model``) that part covers, with the reason, so the generic
# export leaves them out.
def collect_personal_data(user) -> dict:
    data: dict = {}
    for module in _ui_modules():
        if hasattr(module, "personal_data"):
            data.update(module.personal_data(user))
    return data


def collect_personal_data_models() -> dict[str, str]:
    covered: dict[str, str] = {}
    for module in _ui_modules():
        if hasattr(module, "personal_data_models"):
            covered.update(module.personal_data_models())
    return covered


def collect_archive_parts(school_year) -> list[ArchivePart]:
    parts: list[ArchivePart] = []
    for module in _ui_modules():
        if hasattr(module, "archive_parts"):
            parts.extend(module.archive_parts(school_year))
    return parts
