"""What an access plan can include (*uprawnienia planu*), and what the law keeps free.

L-05 (docs/rules.md, ``../shared/domain/polish-domain.md``): parents view their
children's register free of charge. So in a school bound by it, every entitlement in
``FREE_BY_LAW`` belongs to the free plan whatever the school configures, and only the
extras (``EXTRAS``) can be sold.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

GRADES = "grades"
ATTENDANCE = "attendance"
SMS = "sms"
PUSH = "push"
MESSAGES = "messages"
ANNOUNCEMENTS = "announcements"
TIMETABLE = "timetable"
CALENDAR = "calendar"
ELEARNING = "elearning"

CHOICES = (
    (GRADES, _("Grades from home")),
    (ATTENDANCE, _("Attendance from home")),
    (SMS, _("SMS info")),
    (PUSH, _("Push notifications")),
    (MESSAGES, _("Messages")),
    (ANNOUNCEMENTS, _("Announcements")),
    (TIMETABLE, _("Timetable and lesson topics")),
    (CALENDAR, _("Calendar of tests and trips")),
    (ELEARNING, _("E-learning platform")),
)
ALL = frozenset(code for code, _label in CHOICES)

# The register itself, in the browser: what a parent must see without paying (L-05).
FREE_BY_LAW = frozenset({GRADES, ATTENDANCE, MESSAGES, ANNOUNCEMENTS, TIMETABLE, CALENDAR})
EXTRAS = ALL - FREE_BY_LAW

# What the leaflet's 2012-style basic account saw from anywhere: grades and attendance
# only inside the school's network during consultation hours (``PlanSettings``).
AT_SCHOOL_ONLY = frozenset({GRADES, ATTENDANCE})


def label(code: str) -> str:
    return str(dict(CHOICES).get(code, code))
