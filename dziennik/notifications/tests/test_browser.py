"""In the browser: a parent sees the unread count in the header of every page, opens the
centre, reads the new grade's notification, follows it, and chooses e-mail settings. The
screens pass axe at 360 and 1366 px."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.notifications.models import Notification, Preferences
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .helpers import column, grade

pytestmark = pytest.mark.browser

WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def test_a_parent_reads_a_notification_and_chooses_settings(page, world):
    grade(world, column(world), "5")
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(reverse("portal:home"))
    link = page.locator("#notifications-link")
    link.locator("#unread-count").wait_for()
    assert link.text_content().split() == ["Powiadomienia", "1", "nieprzeczytane"]
    with page.expect_navigation():
        link.click()
    item = page.locator("#notifications li").first
    assert "Nowa ocena z przedmiotu Matematyka – Zofia" in item.inner_text()
    assert "Ocena: 5" in item.inner_text()
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        item.locator("a").click()
    assert page.url.endswith(reverse("grades:student", args=[world.student.pk]))
    assert Notification.objects.get(recipient=world.user("own_parent")).read_at is not None
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("#notifications-link #unread-count").count() == 0

    page.goto(reverse("notifications:preferences"))
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)
    page.get_by_label("Nowa uwaga: E-mail").uncheck()
    page.get_by_label("Jeden e-mail dziennie ze wszystkim zamiast pojedynczych wiadomości").check()
    with page.expect_navigation():
        page.click("#preferences-form button[type=submit]")
    assert "Ustawienia powiadomień zapisano." in page.locator(".messages").inner_text()
    saved = Preferences.objects.get(user=world.user("own_parent"))
    assert saved.digest is True
    assert saved.channels["behaviour_note"] == ["in_app"]
    assert saved.channels["grade_new"] == ["in_app", "email"]
