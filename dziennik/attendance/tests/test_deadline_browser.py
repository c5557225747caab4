"""The school's justification deadline (A-05) is said on the attendance page and on the
form: an old unexcused mark reads "po terminie usprawiedliwienia (7 dni)", a recent one
says until when it can be justified, and the form says why the old one is not offered."""

import datetime

import pytest
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance.models import AttendanceMark
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import build_register, save_lesson

pytestmark = pytest.mark.browser


def _last_school_day() -> datetime.date:
    day = timezone.localdate()
    while day.isoweekday() > 5:
        day -= datetime.timedelta(days=1)
    return day


def test_deadline_is_said_on_the_page_and_the_form(world, page):
    recent = _last_school_day()
    old = recent - datetime.timedelta(days=14)
    reg = build_register(world, recent)
    save_lesson(world, reg, reg.math2, {world.student: "sp"}, day=old)
    save_lesson(world, reg, reg.math2, {world.student: "nb"}, day=recent)
    late = AttendanceMark.objects.get(student=world.student, date=old)
    absent = AttendanceMark.objects.get(student=world.student, date=recent)

    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(f"/frekwencja/uczen/{world.student.pk}/")
    assert page.locator("#justification-deadline").inner_text() == (
        "Termin szkoły: nieobecność lub spóźnienie można usprawiedliwić w ciągu 7 dni."
    )
    old_row = page.locator(f'#absences tr[data-mark="{late.pk}"] td').last.inner_text()
    assert old_row == "po terminie usprawiedliwienia (7 dni)"
    new_row = page.locator(f'#absences tr[data-mark="{absent.pk}"] td').last.inner_text()
    until = (recent + datetime.timedelta(days=7)).strftime("%d.%m.%Y")
    assert new_row == f"brak usprawiedliwienia – można usprawiedliwić do {until}"
    assert_no_serious_axe_violations(page)

    page.click("#justify-link")
    assert page.locator("#justification-deadline").is_visible()
    assert page.locator(f"#mark-{absent.pk}").count() == 1
    assert page.locator(f"#mark-{late.pk}").count() == 0
    assert (
        page.locator("#overdue-note")
        .inner_text()
        .startswith("1 starsza nieusprawiedliwiona nieobecność lub spóźnienie jest po terminie")
    )
    assert_no_serious_axe_violations(page)


def test_form_with_only_old_marks_says_they_are_past_the_deadline(world, page):
    recent = _last_school_day()
    reg = build_register(world, recent)
    save_lesson(
        world, reg, reg.math2, {world.student: "sp"}, day=recent - datetime.timedelta(7 * 3)
    )
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(f"/frekwencja/uczen/{world.student.pk}/usprawiedliwienie/")
    text = page.locator("#nothing-to-justify").inner_text()
    assert text.startswith("Nie ma już czego usprawiedliwić w dzienniku: 1 nieusprawiedliwiona")
    assert "wychowawcą" in text
