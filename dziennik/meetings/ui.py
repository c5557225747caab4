"""Parent–teacher meetings in the navigation, on the home page and in the calendars."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.cache import config_scope
from dziennik.core.extensions import CalendarEntry, HomePanel, NavItem
from dziennik.schools.viewer import Viewer

from . import permissions, selectors
from .scopes import meetings_scope

# The home panel looks this far ahead.
PANEL_DAYS = 14
PANEL_SIZE = 3


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.uses_meetings(viewer):
        return []
    # One menu with the messages (and, for staff, the notes and the calendar): the top bar
    # of a family stays one row at 1280 px.
    group = "communication"
    return [
        NavItem(_("Meetings"), reverse("meetings:index"), order=57, key="meetings", group=group)
    ]


def home_scopes(viewer: Viewer) -> list[tuple]:
    if viewer.school_id is None:
        return []
    return [meetings_scope(viewer.school_id)]


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def calendar_entries(
    viewer: Viewer, date_from: datetime.date, date_to: datetime.date
) -> list[CalendarEntry]:
    """A teacher's consultation hours, a family's booked conversations and its classes'
    meetings, the class meetings a class teacher called."""
    if not permissions.uses_meetings(viewer):
        return []
    sessions, bookings, meetings = selectors.entries_between(viewer, date_from, date_to)
    url = reverse("meetings:index")
    kind_label = _("Parent–teacher meeting")
    entries = []
    for s in sessions:
        entries.append(
            CalendarEntry(
                uid=f"meetings-session-{s.pk}",
                title=_("Consultation hours (%(n)s booked)") % {"n": s.booked_count},
                kind="meeting",
                date=s.date,
                starts=_at(s.date, s.starts_at),
                ends=_at(s.date, s.ends_at),
                url=reverse("meetings:session", args=[s.pk]),
                description=s.note,
                location=s.room,
                kind_label=kind_label,
            )
        )
    for b in bookings:
        entries.append(
            CalendarEntry(
                uid=f"meetings-booking-{b.pk}",
                title=_("Meeting with %(teacher)s about %(child)s")
                % {"teacher": b.session.teacher.get_full_name(), "child": b.student.first_name},
                kind="meeting",
                date=timezone.localtime(b.slot.starts).date(),
                starts=b.slot.starts,
                ends=b.slot.ends,
                url=reverse("meetings:session", args=[b.session_id]),
                location=b.session.room,
                kind_label=kind_label,
            )
        )
    for m in meetings:
        entries.append(
            CalendarEntry(
                uid=f"meetings-class-{m.pk}",
                title=_("Class meeting of %(class)s") % {"class": m.school_class.name},
                kind="meeting",
                date=m.date,
                starts=_at(m.date, m.starts_at),
                ends=_at(m.date, m.ends_at),
                url=url,
                description=m.topic,
                location=m.room,
                kind_label=kind_label,
                class_id=m.school_class_id,
            )
        )
    return entries


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    """Parents and teachers: their next meetings in the coming two weeks."""
    if not (viewer.is_parent or viewer.is_teacher) or viewer.school_id is None:
        return []
    today = timezone.localdate()
    now = timezone.now()
    upcoming = [
        e
        for e in calendar_entries(viewer, today, today + datetime.timedelta(days=PANEL_DAYS))
        if e.ends is None or e.ends > now
    ]
    if not upcoming:
        return []
    upcoming.sort(key=lambda e: (e.starts, e.uid))
    shown = upcoming[:PANEL_SIZE]
    # a meeting leaves the panel when it ends: the panel kept rendered is out of date then
    ends = [e.ends for e in shown if e.ends is not None]
    return [
        HomePanel(
            "meetings/_home_panel.html",
            {"entries": shown},
            order=25,
            valid_until=min(ends) if ends else None,
        )
    ]


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    return [config_scope(viewer.school_id), *home_scopes(viewer)]
