"""The lesson register's entries in the navigation and panels on the home page."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.cache import app_scopes
from dziennik.core.extensions import HomePanel, NavItem
from dziennik.plans import entitlements, gating
from dziennik.schools import selectors as school_selectors
from dziennik.schools.viewer import Viewer
from dziennik.timetable import selectors as timetable

from . import permissions, selectors


def nav_items(viewer: Viewer) -> list[NavItem]:
    items = []
    if viewer.is_parent or viewer.is_student:
        items.append(
            NavItem(_("Attendance"), reverse("attendance:index"), order=40, key="attendance")
        )
    if viewer.is_teacher:
        items.append(NavItem(_("Today"), reverse("attendance:today"), order=30, key="today"))
    if permissions.justifications.decides_any(viewer):
        items.append(
            NavItem(
                _("Justifications"),
                reverse("attendance:justifications"),
                order=45,
                key="justifications",
                group="attendance",
            )
        )
    if permissions.sees_school_attendance(viewer):
        items.append(
            NavItem(
                _("Attendance"),
                reverse("attendance:school"),
                order=40,
                key="attendance",
                group="attendance",
            )
        )
    return items


def annotate_week(viewer: Viewer, occurrences) -> None:
    """The teacher's week shows each occurrence's lesson record (topic, attendance)."""
    lessons = selectors.lessons_by_occurrence(occurrences, viewer.school_id)
    for o in occurrences:
        o.lesson = lessons.get((o.entry.school_class_id, o.entry.group_id, o.date, o.slot.pk))


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    panels = []
    today = timezone.localdate()
    since = today - datetime.timedelta(days=7)
    if viewer.is_teacher:
        # Today's lessons and, for a day without any, the next ones: one expansion.
        ahead = timetable.teacher_days_ahead(viewer, today)
        occurrences = [o for o in ahead if o.date == today]
        lessons = selectors.lessons_by_occurrence(occurrences, viewer.school_id)
        rows = [
            (o, lessons.get((o.entry.school_class_id, o.entry.group_id, o.date, o.slot.pk)))
            for o in occurrences
        ]
        if rows:
            panels.append(
                HomePanel("attendance/panels/today.html", {"rows": rows, "day": today}, order=10)
            )
        else:
            # Say why there is nothing today (a weekend, a holiday, no lessons of theirs) and
            # when the next lessons are; "set up the timetable" only when there is none.
            panels.append(
                HomePanel(
                    "attendance/panels/no_lessons.html",
                    {"status": timetable.teacher_day_without_lessons(viewer, today, ahead)},
                    order=10,
                )
            )
    if viewer.is_class_teacher:
        alerts = selectors.alerts_for_classes(viewer.led_class_ids, since=since)
        pending = selectors.justifications_to_decide(viewer, "pending").count()
        notices = selectors.notices_to_know(viewer)
        if alerts or pending or notices:
            panels.append(
                HomePanel(
                    "attendance/panels/class_teacher.html",
                    {
                        "alerts": alerts,
                        "pending": pending,
                        "notices": notices,
                        "class_ids": sorted(viewer.led_class_ids),
                    },
                    order=15,
                )
            )
    student_ids = set(viewer.child_ids)
    if viewer.student_id:
        student_ids.add(viewer.student_id)
    refusals = gating.home_refusals(request) if student_ids else {}
    refused = [r for (pk, code), r in refusals.items() if code == entitlements.ATTENDANCE]
    if refused:
        # the family's plan does not show these children's attendance here and now
        panels.append(gating.home_panel(refused))
        student_ids -= {r.student_id for r in refused}
    if student_ids:
        alerts = selectors.alerts_for_students(student_ids, since=since)
        absences = selectors.recent_absences(student_ids, since=since)
        if alerts or absences:
            panels.append(
                HomePanel(
                    "attendance/panels/family.html",
                    {
                        "alerts": alerts,
                        "absences": absences,
                        "show_student": len(student_ids) > 1,
                    },
                    order=10,
                )
            )
    return panels


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    """The family's panel shows every child's alerts and absences: the school's
    configuration, each child's and their classes' attendance (a new grade or note does
    not rebuild it, ``core.cache.app_scopes``)."""
    return list(app_scopes("attendance", school_selectors.family_cache_scopes(viewer)))
