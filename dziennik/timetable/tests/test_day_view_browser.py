"""The timetable on a phone is a day view: buttons between days, today's first, no
sideways scrolling; the week grid stays on wide screens."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance.tests.factories import build_register
from dziennik.timetable.tests.factories import TimetableEntryFactory
from testsupport.a11y import axe_violations, format_violations
from testsupport.browser import login

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}


def _week(world):
    today = timezone.localdate()
    reg = build_register(world, today)  # 4a on today's weekday: lessons 1–4
    other = today - datetime.timedelta(days=1) if today.isoweekday() > 1 else today
    other = other if other != today else today + datetime.timedelta(days=1)
    entry = TimetableEntryFactory(
        school_class=world.school_class,
        weekday=other.isoweekday(),
        slot=reg.slots[6],
        subject=world.subject,
        teacher=world.users["teacher_in"],
        valid_from=today - datetime.timedelta(days=30),
    )
    return today, other, entry


def test_phone_shows_one_day_at_a_time_today_first(world, page):
    today, other, _entry = _week(world)
    page.set_viewport_size(PHONE)
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(f"/plan/uczen/{world.student.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator("#week")).to_be_hidden()
    today_day = page.locator(f'#day-view .day[data-day="{today:%Y-%m-%d}"]')
    other_day = page.locator(f'#day-view .day[data-day="{other:%Y-%m-%d}"]')
    expect(today_day).to_be_visible()
    expect(other_day).to_be_hidden()
    assert today_day.locator(".day-lessons > li").count() == 4
    pressed = page.locator(".day-button[aria-pressed=true]")
    assert pressed.get_attribute("data-day") == f"{today:%Y-%m-%d}"

    page.click(f'.day-button[data-day="{other:%Y-%m-%d}"]')
    expect(other_day).to_be_visible()
    expect(today_day).to_be_hidden()
    assert other_day.locator(".day-lessons > li").all_inner_texts()[0].split()[0] == "6"
    assert world.subject.name in other_day.inner_text()
    found = [v for v in axe_violations(page) if v["impact"] != "minor"]
    assert found == [], format_violations(found)


def test_wide_screen_keeps_the_week_grid(world, page):
    _week(world)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(f"/plan/uczen/{world.student.pk}/")
    expect(page.locator("#week")).to_be_visible()
    expect(page.locator("#day-view")).to_be_hidden()
    found = [v for v in axe_violations(page) if v["impact"] != "minor"]
    assert found == [], format_violations(found)
