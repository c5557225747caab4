"""In the browser: the secretary adds a room, then deactivates it."""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.timetable.models import Room
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .helpers import build

pytestmark = pytest.mark.browser


def test_secretary_adds_and_deactivates_a_room(world, page):
    build(world)
    login(page, "sekr", TEST_PASSWORD)
    page.goto("/plan/")
    with page.expect_navigation():
        page.click("#rooms-manage")
    assert_no_serious_axe_violations(page)
    page.fill("#id_name", "12")  # taken
    with page.expect_navigation():
        page.click("#room-add")
    assert page.locator("#id_name[aria-invalid=true]").count() == 1
    page.fill("#id_name", "Sala gimnastyczna")
    with page.expect_navigation():
        page.click("#room-add")
    room = Room.objects.get(school=world.school, name="Sala gimnastyczna")
    row = page.locator(f'#rooms tr[data-room="{room.pk}"]')
    assert "aktywna" in row.inner_text()

    with page.expect_navigation():
        row.locator("a", has_text="Edytuj").click()
    assert_no_serious_axe_violations(page)
    page.uncheck("#id_is_active")
    with page.expect_navigation():
        page.click("#room-save")
    assert "nieaktywna" in row.inner_text()
    room.refresh_from_db()
    assert room.is_active is False
