"""How long each kind of record with personal data is kept (rules R-01 to R-09 in
docs/rules.md; L-13, P-07, M-01).

A rule is data: which rows make up the kind (``Part``: a model, the date that places a
row in a school year, the path to its school), and from when a school year's rows are
due for destruction. A school year is named by the calendar year it ends in (2020 for
2019/2020, which ends on 31 August 2020, C-01); the year of a row is that of its date.
Nothing here deletes anything: ``services.destruction_confirm`` does, after the
principal's confirmation (*protokół brakowania*).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dziennik.accounts.models import SecondFactorReset
from dziennik.attendance.models import AttendanceAlert, Justification, Lesson
from dziennik.behaviour.models import BehaviourNote
from dziennik.grades.models import Assessment, BehaviourGrade, ClassificationGrade, StudentAverage
from dziennik.keystroke.models import UnusualLogin
from dziennik.meetings.models import ClassMeeting, ConsultationSession
from dziennik.messaging.models import Message, MessagingSettings
from dziennik.notices.models import Announcement
from dziennik.notifications.models import Notification
from dziennik.planner.models import Event
from dziennik.promotion.models import PromotionList
from dziennik.timetable.models import TimetableChange


def school_year_of(day: datetime.date) -> int:
    """The school year a day belongs to, named by the year it ends in (C-01)."""
    return day.year + 1 if day.month >= 9 else day.year


def year_label(year: int) -> str:
    return f"{year - 1}/{year}"


Deadline = Callable[[int], datetime.date]


def _b_years(years: int) -> Callable[[int], Deadline]:
    """JRWA category B<n>: kept ``years`` full years counted from 1 January after the
    school year ends, so due on 1 January of the year after those."""

    def deadline(school_id: int) -> Deadline:
        return lambda year: datetime.date(year + 1 + years, 1, 1)

    return deadline


def _school_years_after(years: int) -> Callable[[int], Deadline]:
    """Kept for the school year of the record and ``years`` more: due on 1 September."""

    def deadline(school_id: int) -> Deadline:
        return lambda year: datetime.date(year + years, 9, 1)

    return deadline


def _messages_deadline(school_id: int) -> Deadline:
    """M-01: the school's ``retention_years`` (default 1) after the year of sending."""
    setting = MessagingSettings.objects.filter(school_id=school_id).first()
    years = setting.retention_years if setting else 1
    return lambda year: datetime.date(year + years, 9, 1)


@dataclass(frozen=True)
class Part:
    """The rows of one model in a kind: ``date`` places a row in a school year,
    ``school`` leads to its school. Deleting them takes what cascades from them."""

    model: type[models.Model]
    date: str
    school: str = "school"

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows(self, school_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.school: school_id})

    def with_year(self, school_id: int) -> models.QuerySet:
        """The school's rows, each with ``retention_year``: its school year."""
        date = F(self.date)
        return self.rows(school_id).annotate(
            retention_year=Case(
                When(
                    **{f"{self.date}__month__gte": 9},
                    then=ExtractYear(date) + Value(1),
                ),
                default=ExtractYear(date),
                output_field=models.IntegerField(),
            )
        )


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    period: Promise
    parts: tuple[Part, ...]
    # school id -> (school year -> the first day its rows are due for destruction)
    deadline: Callable[[int], Deadline]


KINDS: tuple[Kind, ...] = (
    Kind(
        code="R-01",
        label=_("Lesson register: lessons, topics, attendance, current grades, notes"),
        period=_("5 full years from 1 January after the school year (JRWA B5)"),
        parts=(
            Part(Lesson, "date"),
            Part(Assessment, "date"),
            Part(Justification, "date_from"),
            Part(AttendanceAlert, "date"),
            Part(BehaviourNote, "date"),
            Part(TimetableChange, "date"),
            # the averages computed from the current grades, per term
            Part(StudentAverage, "term__school_year__end_date"),
        ),
        deadline=_b_years(5),
    ),
    Kind(
        code="R-02",
        label=_(
            "Grade sheets: mid-year and annual classification and behaviour grades, "
            "promotion decisions"
        ),
        period=_("50 full years from 1 January after the school year (JRWA B50)"),
        parts=(
            Part(ClassificationGrade, "term__school_year__end_date"),
            Part(BehaviourGrade, "term__school_year__end_date"),
            # the council's decisions the sheets print (promotion, with distinction,
            # completing the school), with their entries
            Part(PromotionList, "school_class__school_year__end_date"),
        ),
        deadline=_b_years(50),
    ),
    Kind(
        code="R-03",
        label=_("Messages with their deliveries and attachments"),
        period=_("the school year of sending and the years the school sets (M-01)"),
        parts=(Part(Message, "sent_at"),),
        deadline=_messages_deadline,
    ),
    Kind(
        code="R-04",
        label=_("Notifications and their deliveries (e-mail, SMS)"),
        period=_("the school year of the notification and one more"),
        parts=(Part(Notification, "created_at"),),
        deadline=_school_years_after(1),
    ),
    Kind(
        code="R-05",
        label=_("Login records: unusual logins, second factor resets"),
        period=_("the school year of the login and one more"),
        parts=(
            Part(UnusualLogin, "at", school="user__school"),
            Part(SecondFactorReset, "created_at", school="user__school"),
        ),
        deadline=_school_years_after(1),
    ),
    Kind(
        code="R-06",
        label=_("Announcements, meetings and the class calendar"),
        period=_("the school year of the event and one more"),
        parts=(
            Part(Announcement, "shown_until"),
            Part(ConsultationSession, "date"),
            Part(ClassMeeting, "date"),
            Part(Event, "date"),
        ),
        deadline=_school_years_after(1),
    ),
)

BY_CODE = {kind.code: kind for kind in KINDS}
