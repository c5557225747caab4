"""In the browser: the lucky number on the student's and the parent's home page (axe at
360 and 1366 px); the principal switches it off and it is gone."""

import pytest
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.lucky.models import LuckyNumber, LuckySettings
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

pytestmark = pytest.mark.browser

WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username, TEST_PASSWORD)


def test_the_lucky_number_on_the_home_pages_until_switched_off(page, world):
    # the morning's draw (made by the task; any day of the week the same)
    LuckyNumber.objects.create(school=world.school, date=timezone.localdate(), number=2)
    for username in ("uczen-test", "rodzic-test"):
        switch_user(page, username)
        page.goto("/")
        assert page.locator("#lucky-number-value").inner_text() == "2"
        for size in WIDTHS:
            page.set_viewport_size(size)
            assert_no_serious_axe_violations(page)

    switch_user(page, "dyrektor-test")
    page.goto("/")
    with page.expect_navigation():
        page.click("#lucky-settings")
    page.uncheck("#id_enabled")
    page.check("input[name=mode][value=random]")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert LuckySettings.objects.get(school=world.school).enabled is False

    switch_user(page, "uczen-test")
    page.goto("/")
    assert page.locator("#lucky-number").count() == 0
