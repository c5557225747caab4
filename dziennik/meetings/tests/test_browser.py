"""In the browser: Matematyka's teacher publishes consultation hours (with a stored-XSS
payload in the note for parents); Zofia's mother finds them on her meetings page, books
a time on her phone, and sees the booking; the teacher sees who booked. No dialog opens;
the parent's screens pass axe at 360 and 1366 px."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.meetings.models import Booking, ConsultationSession
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import a_day

pytestmark = pytest.mark.browser

NOTE = '<img src=x onerror="alert(1)"> Proszę zabrać zeszyt ćwiczeń.'
WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username, TEST_PASSWORD)


def _axe_at_both_widths(page):
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)


def test_a_parent_books_a_time_and_the_teacher_sees_it(page, world):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    login(page, "n-in", TEST_PASSWORD)
    page.goto(reverse("meetings:index"))
    with page.expect_navigation():
        page.click("#session-new")
    page.fill("#id_date", a_day(4).isoformat())
    page.fill("#id_starts_at", "16:00")
    page.fill("#id_ends_at", "17:00")
    page.select_option("#id_slot_minutes", "15")
    page.fill("#id_room", "12")
    page.fill("#id_note", NOTE)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    session = ConsultationSession.objects.get()
    assert session.note == NOTE and session.slots.count() == 4

    switch_user(page, "rodzic-test")
    page.set_viewport_size(WIDTHS[0])
    page.goto(reverse("meetings:index"))
    row = page.locator(f"#session-{session.pk}")
    assert "Tomasz Lewandowski" in row.inner_text()
    _axe_at_both_widths(page)
    page.set_viewport_size(WIDTHS[0])
    with page.expect_navigation():
        row.locator("a").click()
    assert NOTE in page.locator("main").inner_text()
    assert page.locator("main img").count() == 0
    _axe_at_both_widths(page)
    page.set_viewport_size(WIDTHS[0])
    second = session.slots.order_by("starts")[1]
    with page.expect_navigation():
        page.locator(f"#slot-{second.pk} button").click()
    assert "Zarezerwowano" in page.locator("main").inner_text() or "Zarezerwowano" in (
        page.content()
    )
    assert page.locator(f"#slot-{second.pk} .slot-state").inner_text().strip() == (
        "Twoja rezerwacja"
    )
    assert page.locator("#own-booking").is_visible()
    booking = Booking.objects.get()
    assert (booking.slot_id, booking.student_id) == (second.pk, world.student.pk)
    _axe_at_both_widths(page)
    page.goto(reverse("meetings:index"))
    assert page.locator(f"#booking-{booking.pk}").is_visible()
    page.goto("/")
    assert "Tomasz Lewandowski" in page.locator("#upcoming-meetings").inner_text()
    _axe_at_both_widths(page)

    switch_user(page, "n-in")
    page.goto(reverse("meetings:session", args=[session.pk]))
    state = page.locator(f"#slot-{second.pk} .slot-state").inner_text()
    assert "Anna Wiśniewska" in state and "Zofia Wiśniewska" in state
    assert dialogs == []
