"""The calendar in the navigation, on the home page and in everyone's calendar (the
calendar screens and the iCalendar feed: ``calendar_entries``)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.children import active_child_id
from dziennik.core.cache import app_scopes, config_scope
from dziennik.core.extensions import CalendarEntry, HomePanel, NavItem
from dziennik.schools import selectors as school_selectors
from dziennik.schools.viewer import Viewer

from . import selectors
from .models import Event

TIME_ZONE = zoneinfo.ZoneInfo("Europe/Warsaw")


def nav_items(viewer: Viewer) -> list[NavItem]:
    if viewer.school_id is None or viewer.user_id is None:
        return []
    group = "communication" if viewer.is_staff_member else ""
    return [
        NavItem(_("Calendar"), reverse("planner:calendar"), order=44, key="planner", group=group)
    ]


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    """Parents and students: the chosen child's tests, quizzes and homework of the next
    two weeks."""
    if not (viewer.is_parent or viewer.is_student):
        return []
    student_id = active_child_id(request)
    if student_id is None:
        return []
    events = selectors.upcoming(selectors.for_child(viewer, student_id), today=timezone.localdate())
    if not events:
        return []
    return [HomePanel("planner/_home_panel.html", {"events": events}, order=30)]


def _title(viewer: Viewer, event: Event) -> str:
    title = f"{event.subject.name}: {event.title}" if event.subject_id else event.title
    if viewer.is_staff_member and event.school_class_id:
        target = event.school_class.name
        if event.group_id:
            target = f"{target} {event.group.name}"
        title = f"{title} ({target})"
    return title


def _moment(day: datetime.date, time: datetime.time | None) -> datetime.datetime | None:
    if time is None:
        return None
    return datetime.datetime.combine(day, time, tzinfo=TIME_ZONE)


def calendar_entries(
    viewer: Viewer, date_from: datetime.date, date_to: datetime.date
) -> list[CalendarEntry]:
    """The viewer's events between the dates, and the school's days off (one entry a
    day). Two queries."""
    if viewer.school_id is None or viewer.user_id is None:
        return []
    entries = []
    for event in selectors.events_between(viewer, date_from, date_to):
        starts = _moment(event.date, event.starts_at)
        entries.append(
            CalendarEntry(
                uid=f"planner-{event.pk}",
                title=_title(viewer, event),
                kind=event.kind,
                kind_label=event.get_kind_display(),
                date=event.date,
                starts=starts,
                ends=_moment(event.date, event.ends_at) if starts else None,
                url=reverse("planner:event", args=[event.pk]),
                description=event.description,
                location=event.location,
                class_id=event.school_class_id,
            )
        )
    for day_off in selectors.days_off_between(viewer, date_from, date_to):
        day = max(day_off.date_from, date_from)
        while day <= min(day_off.date_to, date_to):
            entries.append(
                CalendarEntry(
                    uid=f"day-off-{day_off.pk}-{day:%Y%m%d}",
                    title=day_off.name,
                    kind="day_off",
                    kind_label=_("day off"),
                    date=day,
                )
            )
            day += datetime.timedelta(days=1)
    return entries


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    """The tests and homework of the chosen child's class and groups: the school's
    configuration (school-wide events move it), the child and their family's classes'
    register data."""
    student_id = active_child_id(request)
    if student_id is None:
        return [config_scope(viewer.school_id)]
    return list(app_scopes("planner", school_selectors.child_cache_scopes(viewer, student_id)))
