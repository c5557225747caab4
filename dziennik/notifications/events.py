"""The events a person can be notified of, their words and their default channels.

Each event has a *short* text that carries no more personal data than needed (SMS and
e-mail travel in clear: "New grade in Mathematics – Zofia", never the grade) and a
*detail* (the grade itself, the note's text) shown in the register, and in e-mail, SMS
and push only to a person who chose it (``Preferences.details``).

Events of apps being built now (messages, tests and homework, meetings) are declared
here already, so each needs only its one ``notify`` call (docs/notifications.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

IN_APP = "in_app"
EMAIL = "email"
SMS = "sms"
PUSH = "push"
ALL_CHANNELS = (IN_APP, EMAIL, SMS, PUSH)
CHANNEL_LABELS = (
    (IN_APP, gettext_lazy("In the register")),
    (EMAIL, gettext_lazy("E-mail")),
    (SMS, gettext_lazy("SMS")),
    (PUSH, gettext_lazy("Push")),
)


@dataclass(frozen=True)
class Event:
    code: str
    label: object  # a lazy translation
    short: str  # an English msgid with %(name)s parameters
    detail: str = ""
    default_channels: tuple[str, ...] = (IN_APP, EMAIL)
    urgent: bool = False
    # the short text when the event is of a later day than tomorrow (its ``weekday``
    # parameter given: a reminder on Friday of Monday's test does not say "tomorrow")
    short_later: str = ""


GRADE_NEW = "grade_new"
GRADE_CHANGED = "grade_changed"
GRADE_PROPOSED = "grade_proposed"
GRADE_TERM = "grade_term"
GRADE_FINAL = "grade_final"
ABSENCE_UNEXCUSED = "absence_unexcused"
ABSENCE_SELECTIVE = "absence_selective"
JUSTIFICATION_DECIDED = "justification_decided"
BEHAVIOUR_NOTE = "behaviour_note"
ANNOUNCEMENT = "announcement"
MESSAGE = "message"
TEST_TOMORROW = "test_tomorrow"
HOMEWORK_TOMORROW = "homework_tomorrow"
TIMETABLE_TOMORROW = "timetable_tomorrow"
MEETING = "meeting"
# Data-subject rights (dziennik.privacy): to the school office, to the requester.
RECTIFICATION_FILED = "rectification_filed"
RECTIFICATION_ANSWERED = "rectification_answered"
# Access plans (dziennik.plans): a paid plan ends soon (30 and 7 days before).
PLAN_EXPIRES = "plan_expires"

# Marked for extraction only: the texts are translated when shown (``render``), in the
# reader's language.
_EVENTS = (
    Event(
        GRADE_NEW,
        gettext_lazy("New grade"),
        gettext_lazy("New grade in %(subject)s – %(child)s"),
        gettext_lazy("Grade: %(value)s"),
    ),
    Event(
        GRADE_CHANGED,
        gettext_lazy("Changed grade"),
        gettext_lazy("Changed grade in %(subject)s – %(child)s"),
        gettext_lazy("Grade now: %(value)s"),
    ),
    Event(
        GRADE_PROPOSED,
        gettext_lazy("Proposed term or final grade"),
        gettext_lazy("Proposed grade in %(subject)s – %(child)s"),
        gettext_lazy("Proposed grade: %(value)s"),
    ),
    Event(
        GRADE_TERM,
        gettext_lazy("Term grade"),
        gettext_lazy("Term grade in %(subject)s – %(child)s"),
        gettext_lazy("Grade: %(value)s"),
    ),
    Event(
        GRADE_FINAL,
        gettext_lazy("Final grade"),
        gettext_lazy("Final grade in %(subject)s – %(child)s"),
        gettext_lazy("Grade: %(value)s"),
    ),
    Event(
        ABSENCE_UNEXCUSED,
        gettext_lazy("Absence today"),
        gettext_lazy("Absence today – %(child)s"),
        gettext_lazy("Absent from lesson %(lesson)s (%(subject)s)"),
        default_channels=(IN_APP, EMAIL, SMS, PUSH),
    ),
    Event(
        ABSENCE_SELECTIVE,
        gettext_lazy("Selective absence"),
        gettext_lazy("Absent from one lesson between others – %(child)s"),
        gettext_lazy("Lesson %(lesson)s (%(subject)s)"),
        default_channels=(IN_APP, EMAIL, SMS, PUSH),
    ),
    Event(
        JUSTIFICATION_DECIDED,
        gettext_lazy("Justification decided"),
        gettext_lazy("Justification decided – %(child)s"),
        gettext_lazy("Decision: %(decision)s"),
    ),
    Event(
        BEHAVIOUR_NOTE,
        gettext_lazy("New behaviour note"),
        gettext_lazy("New behaviour note – %(child)s"),
        gettext_lazy("Category: %(category)s"),
    ),
    Event(
        ANNOUNCEMENT,
        gettext_lazy("New announcement"),
        gettext_lazy("New announcement: %(title)s"),
        default_channels=(IN_APP,),
    ),
    Event(
        MESSAGE,
        gettext_lazy("New message"),
        gettext_lazy("New message from %(sender)s"),
    ),
    Event(
        TEST_TOMORROW,
        gettext_lazy("Test or trip tomorrow"),
        gettext_lazy("Tomorrow: %(title)s – %(child)s"),
        short_later=gettext_lazy("Next school day (%(weekday)s): %(title)s – %(child)s"),
    ),
    Event(
        HOMEWORK_TOMORROW,
        gettext_lazy("Homework due tomorrow"),
        gettext_lazy("Homework due tomorrow in %(subject)s – %(child)s"),
        short_later=gettext_lazy(
            "Homework due the next school day (%(weekday)s) in %(subject)s – %(child)s"
        ),
    ),
    Event(
        TIMETABLE_TOMORROW,
        gettext_lazy("Substitution or cancellation tomorrow"),
        gettext_lazy("Tomorrow's timetable changed – %(child)s"),
        short_later=gettext_lazy(
            "The next school day's (%(weekday)s) timetable changed – %(child)s"
        ),
    ),
    Event(
        MEETING,
        gettext_lazy("Parents' meeting"),
        gettext_lazy("Meeting: %(title)s"),
    ),
    Event(
        RECTIFICATION_FILED,
        gettext_lazy("Request to correct data"),
        gettext_lazy("New request to correct data: %(data)s"),
        default_channels=(IN_APP, EMAIL),
    ),
    Event(
        RECTIFICATION_ANSWERED,
        gettext_lazy("Answer to a request to correct data"),
        gettext_lazy("Your request to correct data: %(status)s"),
        gettext_lazy("About: %(data)s"),
        default_channels=(IN_APP, EMAIL),
    ),
    Event(
        PLAN_EXPIRES,
        gettext_lazy("Extended plan ends soon"),
        gettext_lazy("The extended plan of %(child)s ends on %(day)s"),
        default_channels=(IN_APP, EMAIL),
    ),
)
EVENTS: dict[str, Event] = {event.code: event for event in _EVENTS}


# Parameter values that are codes, worded when shown.
VALUE_WORDS = {
    "accepted": gettext_lazy("accepted"),
    "rejected": gettext_lazy("rejected"),
    "partly": gettext_lazy("partly accepted"),
    # ``weekday`` of the reminders of a later day than tomorrow (ISO weekday numbers)
    "weekday:1": pgettext_lazy("weekday in a sentence", "Monday"),
    "weekday:2": pgettext_lazy("weekday in a sentence", "Tuesday"),
    "weekday:3": pgettext_lazy("weekday in a sentence", "Wednesday"),
    "weekday:4": pgettext_lazy("weekday in a sentence", "Thursday"),
    "weekday:5": pgettext_lazy("weekday in a sentence", "Friday"),
    "weekday:6": pgettext_lazy("weekday in a sentence", "Saturday"),
    "weekday:7": pgettext_lazy("weekday in a sentence", "Sunday"),
    "done": gettext_lazy("corrected"),
    "refused": gettext_lazy("refused"),
}


def _fill(template, params: dict) -> str:
    text = str(template)
    worded = {
        name: str(VALUE_WORDS[value]) if isinstance(value, str) and value in VALUE_WORDS else value
        for name, value in params.items()
    }
    try:
        return text % worded
    except (KeyError, TypeError, ValueError):
        # a producer that left a parameter out still gets a readable, if bare, text
        return str(EVENTS_LABEL_FALLBACK) if not text else text.split("%(")[0].strip(" –:")


EVENTS_LABEL_FALLBACK = gettext_lazy("Notification")


def render_short(event: str, params: dict) -> str:
    """The short text, in the active language."""
    known = EVENTS.get(event)
    if known is None:
        return _("Notification")
    if known.short_later and "weekday" in params:
        return _fill(known.short_later, params)
    return _fill(known.short, params)


def render_detail(event: str, params: dict) -> str:
    """The detail (may be empty), in the active language."""
    known = EVENTS.get(event)
    if known is None or not known.detail:
        return ""
    return _fill(known.detail, params)
