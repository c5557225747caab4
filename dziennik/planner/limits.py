"""The school's limits on tests (G-14): how many a class may have in a week and in a day,
and how many days ahead a test is announced. A test over a limit is a warning the
teacher confirms, unless the principal forbade going over them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Event, PlannerSettings


@dataclass(frozen=True)
class Limits:
    tests_per_week: int = 3
    tests_per_day: int = 1
    notice_days: int = 7
    quizzes_count: bool = False
    override_allowed: bool = True

    def counted_kinds(self) -> tuple[str, ...]:
        if self.quizzes_count:
            return (Event.Kind.TEST, Event.Kind.QUIZ)
        return (Event.Kind.TEST,)


def limits_for(school_id: int) -> Limits:
    """The school's limits; the common defaults when it has set none. One query."""
    row = PlannerSettings.objects.filter(school_id=school_id).first()
    if row is None:
        return Limits()
    return Limits(
        tests_per_week=row.tests_per_week,
        tests_per_day=row.tests_per_day,
        notice_days=row.notice_days,
        quizzes_count=row.quizzes_count,
        override_allowed=row.override_allowed,
    )


@dataclass(frozen=True)
class Clash:
    """One limit a planned test goes over: ``rule`` is "day", "week" or "notice";
    ``events`` the class's tests it clashes with (none for the notice)."""

    rule: str
    message: str
    events: tuple[Event, ...] = ()


def _named(events: list[Event]) -> str:
    return "; ".join(
        f"{e.subject.name if e.subject else e.get_kind_display()}: {e.title} "
        f"({date_format(e.date, 'SHORT_DATE_FORMAT')})"
        for e in events
    )


def clashes(
    *,
    limits: Limits,
    kind: str,
    school_class_id: int,
    group_id: int | None,
    date: datetime.date,
    today: datetime.date,
    exclude_pk: int | None = None,
) -> list[Clash]:
    """The limits a test of ``kind`` on ``date`` for the class (or its group) goes over,
    each naming the tests it clashes with. A test for the whole class counts every test
    of the class; a group's test the whole class's and its own group's. One query."""
    if kind not in limits.counted_kinds():
        return []
    monday = date - datetime.timedelta(days=date.weekday())
    sunday = monday + datetime.timedelta(days=6)
    others = (
        Event.objects.filter(
            school_class_id=school_class_id,
            kind__in=limits.counted_kinds(),
            date__range=(monday, sunday),
        )
        .select_related("subject")
        .only("pk", "kind", "title", "date", "group_id", "subject__name")
        .order_by("date", "pk")
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if group_id is not None:
        others = [e for e in others if e.group_id in (None, group_id)]
    else:
        others = list(others)
    return _judged(limits, date, today, others)


def _judged(limits: Limits, date: datetime.date, today: datetime.date, others) -> list[Clash]:
    """The limits a test on ``date`` goes over, given the class's other tests that week."""
    found: list[Clash] = []
    same_day = [e for e in others if e.date == date]
    if len(same_day) >= limits.tests_per_day:
        found.append(
            Clash(
                "day",
                ngettext(
                    "The class may have %(limit)s test a day; on %(date)s it already has: "
                    "%(events)s.",
                    "The class may have %(limit)s tests a day; on %(date)s it already has: "
                    "%(events)s.",
                    limits.tests_per_day,
                )
                % {
                    "limit": limits.tests_per_day,
                    "date": date_format(date, "SHORT_DATE_FORMAT"),
                    "events": _named(same_day),
                },
                tuple(same_day),
            )
        )
    if len(others) >= limits.tests_per_week:
        found.append(
            Clash(
                "week",
                ngettext(
                    "The class may have %(limit)s test a week; that week it already has: "
                    "%(events)s.",
                    "The class may have %(limit)s tests a week; that week it already has: "
                    "%(events)s.",
                    limits.tests_per_week,
                )
                % {"limit": limits.tests_per_week, "events": _named(others)},
                tuple(others),
            )
        )
    ahead = (date - today).days
    if ahead < limits.notice_days:
        found.append(
            Clash(
                "notice",
                _(
                    "A test is announced at least %(days)s days ahead; this one is "
                    "%(ahead)s days away."
                )
                % {"days": limits.notice_days, "ahead": max(ahead, 0)},
            )
        )
    return found
