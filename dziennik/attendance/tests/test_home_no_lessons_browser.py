"""A teacher's home page on a day without their lessons says why and when the next ones
are; "the timetable is not set up" only when they have no lessons in it at all."""

import datetime

import pytest
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.schools import models as sm
from dziennik.timetable.tests.factories import RoomFactory, TimetableEntryFactory
from testsupport.browser import login

pytestmark = pytest.mark.browser


def _weekday_not_today() -> tuple[int, datetime.date]:
    """A school weekday (1–5) that is not today, and its next date."""
    today = timezone.localdate()
    day = today + datetime.timedelta(days=1)
    while day.isoweekday() > 5:
        day += datetime.timedelta(days=1)
    return day.isoweekday(), day


def test_teacher_without_lessons_today_is_told_why_and_when_next(world, page):
    weekday, next_day = _weekday_not_today()
    TimetableEntryFactory(
        school_class=world.school_class,
        subject=world.subject,
        teacher=world.users["teacher_in"],
        weekday=weekday,
        room=RoomFactory(school=world.school, name="12"),
        slot__number=3,
    )
    login(page, "n-in", TEST_PASSWORD)
    reason = page.locator("#no-lessons-reason").inner_text()
    assert "plan" not in reason.lower() and "sekretariat" not in reason
    assert reason.startswith("Dziś nie ma lekcji") or reason.startswith("Nie masz dziś lekcji")
    assert page.locator("#next-lessons").inner_text().startswith("Najbliższa lekcja:")
    assert f"{next_day.day} " in page.locator("#next-lessons").inner_text()
    assert page.locator(".next-lessons li").all_inner_texts() == [
        f"lekcja 3 (10:00) – 4a, {world.subject.name}, sala 12"
    ]


def test_teacher_without_a_timetable_is_told_it_is_not_entered(world, page):
    login(page, "n-out", TEST_PASSWORD)
    reason = page.locator("#no-lessons-reason").inner_text()
    assert reason.startswith("Nie masz jeszcze lekcji w planie.")
    assert page.locator("#next-lessons").count() == 0


def test_a_day_off_is_named(world, page):
    today = timezone.localdate()
    sm.DayOff.objects.create(
        kind=sm.DayOff.Kind.SCHOOL_FREE_DAY,
        school=world.school,
        school_year=world.year,
        name="Święto Niepodległości",
        date_from=today,
        date_to=today,
    )
    weekday, _ = _weekday_not_today()
    TimetableEntryFactory(
        school_class=world.school_class, teacher=world.users["teacher_in"], weekday=weekday
    )
    login(page, "n-in", TEST_PASSWORD)
    assert page.locator("#no-lessons-reason").inner_text().endswith(": Święto Niepodległości.")
