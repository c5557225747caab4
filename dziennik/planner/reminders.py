"""The evening before a school day: its tests, quizzes and trips, the homework due on it
and the changes of its timetable (substitutions, cancellations, moves), told to the
students concerned and their families (``tasks.planner_tomorrow``).

Safe to run any number of times: each notification's key names the event (or the day's
changes), the day and the student, and the outbox stores a key once per person. The
periodic run (every minute from ``manage.py task_worker``) does nothing before
``settings.PLANNER_REMINDERS_AT`` (local time), so families hear of the next day in the
evening, not just after midnight; what is planned later that evening still goes out."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dziennik.notifications import events as notification_events
from dziennik.notifications import services as notifications
from dziennik.notifications.services import About
from dziennik.schools.models import ClassGroup, DayOff, Enrolment, School
from dziennik.timetable.models import TimetableChange

from .models import Event

# A school day is looked for this many days ahead (a long weekend, a short break).
LOOK_AHEAD = 7
# The notifications are not worth delivering after this hour of the day they are about.
EXPIRES_AT = datetime.time(8, 0)

TEST_KINDS = (Event.Kind.TEST, Event.Kind.QUIZ, Event.Kind.TRIP)


def reminders_at() -> datetime.time:
    return datetime.time.fromisoformat(settings.PLANNER_REMINDERS_AT)


def next_school_days(today: datetime.date, school_ids: Iterable[int]) -> dict[int, datetime.date]:
    """For each school, its first day after ``today`` with lessons: Monday to Friday and
    none of its days off. One query."""
    school_ids = list(school_ids)
    days = [today + datetime.timedelta(days=n) for n in range(1, LOOK_AHEAD + 1)]
    off: dict[int, set[datetime.date]] = defaultdict(set)
    for school_id, start, end in DayOff.objects.filter(
        school_id__in=school_ids, date_from__lte=days[-1], date_to__gte=days[0]
    ).values_list("school_id", "date_from", "date_to"):
        off[school_id] |= {day for day in days if start <= day <= end}
    result = {}
    for school_id in school_ids:
        for day in days:
            if day.isoweekday() <= 5 and day not in off[school_id]:
                result[school_id] = day
                break
    return result


def _members(class_ids: set[int], group_ids: set[int]) -> tuple[dict, dict]:
    """The students of the classes now, and of the groups. Two queries."""
    of_class: dict[int, set[int]] = defaultdict(set)
    for class_id, student_id in Enrolment.objects.filter(
        school_class_id__in=class_ids, end_date__isnull=True
    ).values_list("school_class_id", "student_id"):
        of_class[class_id].add(student_id)
    of_group: dict[int, set[int]] = defaultdict(set)
    for group_id, student_id in ClassGroup.students.through.objects.filter(
        classgroup_id__in=group_ids
    ).values_list("classgroup_id", "student_id"):
        of_group[group_id].add(student_id)
    return of_class, of_group


def _later_day(target: datetime.date, today: datetime.date) -> dict:
    """Nothing for tomorrow; the weekday of a later day (Friday evening: Monday)."""
    if target == today + datetime.timedelta(days=1):
        return {}
    return {"weekday": f"weekday:{target.isoweekday()}"}


def _due(targets: dict[int, datetime.date]) -> tuple[list[Event], list[tuple]]:
    """The planned tests, trips and homework and the timetable changes (school, class,
    group) of each school's target day. Two queries."""
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for school_id, target in targets.items():
        by_day[target].append(school_id)
    if not by_day:
        return [], []
    event_q = Q()
    change_q = Q()
    for target, ids in by_day.items():
        event_q |= Q(date=target, school_id__in=ids)
        change_q |= (Q(date=target) | Q(new_date=target)) & Q(school_id__in=ids)
    planned = list(
        Event.objects.filter(event_q, kind__in=(*TEST_KINDS, Event.Kind.HOMEWORK))
        .filter(school_class__isnull=False)
        .select_related("subject")
        .only(
            "pk",
            "school_id",
            "kind",
            "title",
            "date",
            "school_class_id",
            "group_id",
            "subject__name",
        )
        .order_by("pk")
    )
    changes = list(
        TimetableChange.objects.filter(change_q)
        .values_list("school_id", "entry__school_class_id", "entry__group_id")
        .distinct()
    )
    return planned, changes


def remind(*, day: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """Tell the students and families of every school about ``day`` (by default each
    school's next school day, and only from ``PLANNER_REMINDERS_AT`` on); returns how
    many notifications are new. One transaction: all or nothing."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    school_ids = list(School.objects.values_list("pk", flat=True))
    if day is not None:
        targets = dict.fromkeys(school_ids, day)
    elif local.time() < reminders_at():
        return 0
    else:
        targets = next_school_days(local.date(), school_ids)
    planned, changes = _due(targets)
    if not planned and not changes:
        return 0
    class_ids = {e.school_class_id for e in planned} | {c[1] for c in changes}
    group_ids = {e.group_id for e in planned if e.group_id} | {c[2] for c in changes if c[2]}
    of_class, of_group = _members(class_ids, group_ids)

    def students(class_id: int, group_id: int | None) -> list[int]:
        return sorted(of_group[group_id] if group_id else of_class[class_id])

    items: dict[tuple[int, str], list[About]] = defaultdict(list)
    for event in planned:
        url = reverse("planner:event", args=[event.pk])
        if event.kind == Event.Kind.HOMEWORK:
            kind, params = notification_events.HOMEWORK_TOMORROW, {"subject": event.subject.name}
        else:
            kind, params = notification_events.TEST_TOMORROW, {"title": event.title[:100]}
        params |= _later_day(targets[event.school_id], local.date())
        for student_id in students(event.school_class_id, event.group_id):
            key = f"planner:{event.pk}:{event.date}:{student_id}"
            items[(event.school_id, kind)].append(About(student_id, key, params, url))
    told: set[tuple[int, int]] = set()
    for school_id, class_id, group_id in changes:
        for student_id in students(class_id, group_id):
            if (school_id, student_id) in told:
                continue
            told.add((school_id, student_id))
            key = f"timetable:{targets[school_id]}:{student_id}"
            url = reverse("timetable:student", args=[student_id])
            items[(school_id, notification_events.TIMETABLE_TOMORROW)].append(
                About(student_id, key, _later_day(targets[school_id], local.date()), url)
            )
    count = 0
    with transaction.atomic():
        for (school_id, kind), about in sorted(items.items()):
            expires = timezone.make_aware(datetime.datetime.combine(targets[school_id], EXPIRES_AT))
            count += notifications.notify_families(
                event=kind, school_id=school_id, items=about, expires_at=expires, now=now
            )
    return count
