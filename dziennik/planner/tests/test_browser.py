"""In the browser: a teacher plans a test and homework with stored-XSS payloads in their
title and text; the parent sees them as text in the calendar (month, week, list), on the
event pages and on the home page, and no dialog opens. The parent's and the student's
calendar screens pass axe at 360 and 1366 px."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.planner.models import Event
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import next_monday

pytestmark = pytest.mark.browser

TITLE = '<img src=x onerror="alert(1)"> Sprawdzian z ułamków'
HOMEWORK = "<svg onload=alert(2)> Zadania str. 40"
TEXT = '<script>alert("xss")</script>\nPrzynieść cyrkiel.'
WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username, TEST_PASSWORD)


def _plan(page, world, kind, title, date):
    page.goto(reverse("planner:new"))
    page.select_option("#id_kind", kind)
    page.select_option("#id_school_class", str(world.school_class.pk))
    page.select_option("#id_subject", str(world.subject.pk))
    page.fill("#id_title", title)
    page.fill("#id_description", TEXT)
    page.fill("#id_date", date.isoformat())
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _screens(world, monday):
    test = Event.objects.get(kind="test")
    homework = Event.objects.get(kind="homework")
    return [
        "/",
        f"{reverse('planner:calendar')}?miesiac={monday:%Y-%m}",
        f"{reverse('planner:week')}?od={monday:%Y-%m-%d}",
        f"{reverse('planner:list')}?od={monday:%Y-%m-%d}",
        reverse("planner:event", args=[test.pk]),
        reverse("planner:event", args=[homework.pk]),
    ]


def test_xss_renders_as_text_and_family_screens_are_accessible(page, world):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    monday = next_monday(weeks_ahead=2)  # 8 to 14 days ahead: on the home page too
    login(page, "n-in", TEST_PASSWORD)
    _plan(page, world, "test", TITLE, monday)
    _plan(page, world, "homework", HOMEWORK, monday)
    assert set(Event.objects.values_list("title", flat=True)) == {TITLE, HOMEWORK}
    assert page.locator("#event-title").inner_text() == HOMEWORK

    for username in ("rodzic-test", "uczen-test"):
        switch_user(page, username)
        for url in _screens(world, monday):
            page.goto(url)
            assert page.locator("main script, main img, main svg").count() == 0, url
            for size in WIDTHS:
                page.set_viewport_size(size)
                assert_no_serious_axe_violations(page)
        # the homework's page: the text as typed, and the notice that it is not graded
        assert HOMEWORK in page.locator("#event-title").inner_text()
        assert '<script>alert("xss")</script>' in page.locator("#event-description").inner_text()
        assert page.locator("#homework-not-graded").is_visible()
    page.goto(f"{reverse('planner:week')}?od={monday:%Y-%m-%d}")
    assert TITLE in page.locator("#week").inner_text()
    assert dialogs == []
