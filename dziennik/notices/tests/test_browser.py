"""In the browser: the principal publishes to class 4a (with a stored-XSS payload in the
title and the text); a 4a parent sees it with the unread mark, as text, and no dialog
opens; a 4b parent does not see it; the principal sees one reader. The parent's screens
pass axe at 360 and 1366 px."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.notices.models import Announcement
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import family_in

pytestmark = pytest.mark.browser

TITLE = '<img src=x onerror="alert(1)"> Wycieczka do Torunia'
BODY = '<script>alert("xss")</script>\nProgram: https://szkola.example.pl/torun'
WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username, TEST_PASSWORD)


def test_the_principal_publishes_to_4a_and_only_4a_reads_it(page, world):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    family_in(world, world.other_class, "rodzic-4b")

    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto(reverse("notices:new"))
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    page.select_option("#id_audience", "everyone")
    page.get_by_label("4a", exact=True).check()
    with page.expect_navigation():
        page.click("main button[type=submit]")
    announcement = Announcement.objects.get()
    assert announcement.title == TITLE
    assert list(announcement.classes.values_list("name", flat=True)) == ["4a"]

    switch_user(page, "rodzic-test")
    page.goto("/")
    panel = page.locator("#new-announcements")
    assert TITLE in panel.inner_text()
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)
    page.goto(reverse("notices:board"))
    card = page.locator(f"#announcement-{announcement.pk}")
    assert card.locator(".unread-mark").count() == 1
    assert TITLE in card.locator("h2").inner_text()
    assert '<script>alert("xss")</script>' in card.locator(".announcement-body").inner_text()
    assert card.locator('a[href="https://szkola.example.pl/torun"]').count() == 1
    assert card.locator("script, img").count() == 0
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)
    page.reload()
    assert page.locator(".unread-mark").count() == 0
    page.goto("/")
    assert page.locator("#new-announcements").count() == 0

    switch_user(page, "rodzic-4b")
    page.goto(reverse("notices:board"))
    assert page.locator("#no-announcements").is_visible()

    switch_user(page, "dyrektor-test")
    page.goto(reverse("notices:board"))
    assert "Przeczytała 1 osoba" in page.locator(f"#announcement-{announcement.pk}").inner_text()
    assert dialogs == []
