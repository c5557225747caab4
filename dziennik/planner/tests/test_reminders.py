"""The evening before a school day: its tests and trips, the homework due and the changes
of its timetable reach the students concerned and their families, once, and nobody else."""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from dziennik.notifications import events
from dziennik.notifications.events import render_short
from dziennik.notifications.models import Notification
from dziennik.planner import reminders
from dziennik.planner.tasks import planner_tomorrow
from dziennik.schools.models import ClassGroup, DayOff
from dziennik.timetable.tests.factories import TimetableChangeFactory, TimetableEntryFactory

from .factories import maths_test, next_monday, plan

FAMILY = {"uczen-test", "rodzic-test"}  # Zofia and her mother
CLASSMATE = "rodzic-inny"  # Kacper's father (Kacper has no account)


def _told(event: str) -> set[str]:
    return set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )


def _day():
    return next_monday()


def test_a_test_a_trip_and_homework_of_a_group_reach_exactly_those_concerned(world):
    day = _day()
    maths_test(world, day, title="Sprawdzian – ułamki")
    plan(world.user("class_teacher"), world.school_class, kind="trip", title="Wycieczka", date=day)
    group = ClassGroup.objects.create(school_class=world.school_class, name="gr. 2")
    group.students.add(world.classmate)
    plan(
        world.user("teacher_in"),
        world.school_class,
        kind="homework",
        subject=world.subject,
        group=group,
        title="Zadania 1–5",
        date=day,
    )
    plan(world.user("teacher_in"), world.school_class, subject=world.subject,
         date=day + datetime.timedelta(days=1), title="Kartkówka", kind="quiz")  # fmt: skip
    assert reminders.remind(day=day) > 0
    assert _told(events.TEST_TOMORROW) == FAMILY | {CLASSMATE}
    # a test and a trip: two notifications each; the next day's quiz not yet
    assert Notification.objects.filter(event=events.TEST_TOMORROW).count() == 6
    assert {
        n.params["title"] for n in Notification.objects.filter(recipient=world.user("own_parent"))
    } == {"Sprawdzian – ułamki", "Wycieczka"}
    # the group's homework: Kacper's father only
    assert _told(events.HOMEWORK_TOMORROW) == {CLASSMATE}
    homework = Notification.objects.get(event=events.HOMEWORK_TOMORROW)
    later = (
        {} if day == timezone.localdate() + datetime.timedelta(days=1) else {"weekday": "weekday:1"}
    )
    assert homework.params == {
        "child": world.classmate.first_name,
        "subject": world.subject.name,
        **later,
    }
    # nothing of another class or school; the notifications lapse the next morning
    assert not Notification.objects.exclude(school=world.school).exists()
    assert {timezone.localtime(n.expires_at) for n in Notification.objects.all()} == {
        timezone.make_aware(datetime.datetime.combine(day, reminders.EXPIRES_AT))
    }


def test_running_twice_sends_nothing_twice(world):
    day = _day()
    maths_test(world, day)
    first = planner_tomorrow.call(day.isoformat())
    assert first == 3  # Zofia, her mother, Kacper's father
    assert planner_tomorrow.call(day.isoformat()) == 0
    assert Notification.objects.count() == 3


def test_a_substitution_or_cancellation_tells_the_class_once_per_student(world):
    day = _day()
    entry = TimetableEntryFactory(
        school_class=world.school_class, subject=world.subject, teacher=world.user("teacher_in")
    )
    other = TimetableEntryFactory(
        school_class=world.school_class, subject=world.subject, teacher=world.user("teacher_in")
    )
    TimetableChangeFactory(entry=entry, date=day)  # cancelled
    TimetableChangeFactory(
        entry=other, date=day, kind="substitution", substitute_teacher=world.user("class_teacher")
    )
    # a change in 4b, and one of another day, tell nobody of 4a
    TimetableChangeFactory(entry=TimetableEntryFactory(school_class=world.other_class), date=day)
    TimetableChangeFactory(entry=entry, date=day + datetime.timedelta(days=7))
    reminders.remind(day=day)
    assert _told(events.TIMETABLE_TOMORROW) == FAMILY | {CLASSMATE}
    # two changes of Zofia's day: one notification each for her and her mother
    assert Notification.objects.filter(recipient=world.user("own_parent")).count() == 1


def test_a_run_that_rolls_back_sends_nothing(world):
    day = _day()
    maths_test(world, day)
    with pytest.raises(RuntimeError), transaction.atomic():
        reminders.remind(day=day)
        raise RuntimeError("the worker dies before the commit")
    assert not Notification.objects.exists()


def test_the_next_school_day_skips_the_weekend_and_days_off(world):
    friday = next_monday() - datetime.timedelta(days=3)
    monday = friday + datetime.timedelta(days=3)
    assert reminders.next_school_days(friday, [world.school.pk]) == {world.school.pk: monday}
    DayOff.objects.create(
        school=world.school,
        school_year=world.year,
        kind="school_free_day",
        name="Dzień wolny",
        date_from=monday,
        date_to=monday,
    )
    assert reminders.next_school_days(friday, [world.school.pk]) == {
        world.school.pk: monday + datetime.timedelta(days=1)
    }
    # the other school has no day off then
    assert reminders.next_school_days(friday, [world.other_school.pk]) == {
        world.other_school.pk: monday
    }


@override_settings(PLANNER_REMINDERS_AT="17:00")
def test_the_periodic_run_tells_of_the_next_school_day_from_the_evening_on(world):
    monday = next_monday()
    friday = monday - datetime.timedelta(days=3)
    maths_test(world, monday)

    def at(hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(friday, datetime.time(hour)))

    assert reminders.remind(now=at(12)) == 0  # Friday noon: not yet
    assert not Notification.objects.exists()
    assert reminders.remind(now=at(17)) == 3  # Friday evening: Monday's test
    assert reminders.remind(now=at(18)) == 0


@override_settings(PLANNER_REMINDERS_AT="17:00")
def test_on_friday_the_reminder_names_monday_not_tomorrow(world):
    monday = next_monday()
    maths_test(world, monday)
    friday = timezone.make_aware(
        datetime.datetime.combine(monday - datetime.timedelta(days=3), datetime.time(18))
    )
    assert reminders.remind(now=friday) == 3
    notification = Notification.objects.filter(recipient__username="rodzic-test").get()
    with translation.override("pl"):
        text = render_short(notification.event, notification.params)
    assert text.startswith("Najbliższy dzień nauki (poniedziałek): ")
    assert "Jutro" not in text
    # on Sunday evening, Monday is tomorrow
    Notification.objects.all().delete()
    sunday = friday + datetime.timedelta(days=2)
    assert reminders.remind(now=sunday) == 3
    notification = Notification.objects.filter(recipient__username="rodzic-test").get()
    with translation.override("pl"):
        assert render_short(notification.event, notification.params).startswith("Jutro: ")
