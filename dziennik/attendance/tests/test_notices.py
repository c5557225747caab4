"""Parents announce an absence in advance (*zgłoszenie nieobecności*): the class teacher
sees it, and the lessons it covers start as an excused absence when they are taken. Who
may announce, see and withdraw, and that every step is in the history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance import services
from dziennik.attendance.models import AbsenceNotice, AttendanceMark
from dziennik.core.models import AuditEntry
from testsupport.a11y import axe_violations, format_violations
from testsupport.browser import login
from testsupport.world import ROLES

from .factories import build_register, open_lesson

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)


def expect(default, **overrides):
    result = dict.fromkeys(ROLES, default)
    result["anonymous"] = 302
    result.update(overrides)
    return result


def announce(world, role="own_parent", **kwargs):
    kwargs.setdefault("date_from", TOMORROW)
    kwargs.setdefault("date_to", TOMORROW)
    kwargs.setdefault("reason", "Zawody pływackie")
    return services.absence_notice_submit(actor=world.user(role), student=world.student, **kwargs)


def test_notice_form_authorization(matrix, world):
    url = f"/frekwencja/uczen/{world.student.pk}/zglos-nieobecnosc/"
    page = expect(404, own_parent=200)
    matrix.check(url, page, secrets=["Wiśniewska"])
    data = {"date_from": TOMORROW.isoformat(), "date_to": TOMORROW.isoformat(), "reason": "x"}
    matrix.check(
        url,
        dict(page, own_parent=302),
        method="post",
        data=data,
        state=AbsenceNotice.objects.count,
        roles=[r for r in ROLES if r != "own_parent"],
    )
    matrix.check(url, {"own_parent": 302}, method="post", data=data)
    notice = AbsenceNotice.objects.get()
    assert (notice.submitted_by, notice.school_class) == (
        world.user("own_parent"),
        world.school_class,
    )


def test_notice_withdraw_authorization(matrix, world):
    notice = announce(world)
    url = f"/frekwencja/zgloszenia/{notice.pk}/wycofaj/"
    state = lambda: AbsenceNotice.objects.get().status  # noqa: E731
    matrix.check(
        url,
        expect(404),
        method="post",
        state=state,
        roles=[r for r in ROLES if r != "own_parent"],
    )
    matrix.check(url, {"own_parent": 302}, method="post")
    assert state() == "cancelled"


def test_notice_is_in_the_history_and_checked(world):
    notice = announce(world, lesson_from=3, lesson_to=5)
    created = AuditEntry.objects.get(content_type__model="absencenotice", action="create")
    assert created.student_id == world.student.pk
    assert created.changes["reason"] == [None, "Zawody pływackie"]
    with pytest.raises(ValidationError) as past:
        announce(world, date_from=TOMORROW - datetime.timedelta(days=3))
    assert "date_from" in past.value.error_dict
    with pytest.raises(ValidationError) as order:
        announce(world, lesson_from=5, lesson_to=2)
    assert "lesson_to" in order.value.error_dict
    with pytest.raises(ValidationError):
        announce(world, date_to=TOMORROW + datetime.timedelta(days=40))
    with pytest.raises(PermissionDenied):
        announce(world, role="other_parent")
    with pytest.raises(PermissionDenied):
        services.absence_notice_withdraw(actor=world.user("class_teacher"), notice=notice)
    services.absence_notice_withdraw(actor=world.user("own_parent"), notice=notice)
    assert AuditEntry.objects.get(content_type__model="absencenotice", action="update").changes == {
        "status": ["active", "cancelled"]
    }
    assert AbsenceNotice.objects.count() == 1


@pytest.mark.browser
def test_parent_announces_and_the_lesson_starts_excused(world, page):
    """Announced in the morning for lessons 2–3 of the day (a lesson is entered only
    once it has begun, so the day is today)."""
    reg = build_register(world, TODAY)  # 4a today: lessons 1–4
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(f"/frekwencja/uczen/{world.student.pk}/")
    page.click("#notice-link")
    found = [v for v in axe_violations(page) if v["impact"] != "minor"]
    assert found == [], format_violations(found)
    page.fill("#id_date_from", TODAY.isoformat())
    page.fill("#id_date_to", TODAY.isoformat())
    page.fill("#id_lesson_from", "2")
    page.fill("#id_lesson_to", "3")
    page.fill("#id_reason", "Wizyta u ortodonty")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    notice = AbsenceNotice.objects.get()
    item = page.locator(f'#notices li[data-notice="{notice.pk}"]')
    assert "Wizyta u ortodonty" in item.inner_text()
    assert "lekcje 2–3" in item.inner_text()

    # The class teacher sees it among the absences announced by parents.
    page.context.clear_cookies()
    login(page, "wych", TEST_PASSWORD)
    page.goto("/frekwencja/usprawiedliwienia/")
    assert (
        "Wizyta u ortodonty" in page.locator(f'#notices li[data-notice="{notice.pk}"]').inner_text()
    )

    # Today's lesson 2 starts with the excused absence; lesson 1 with "present".
    lesson = open_lesson(world, reg.math2, TODAY)
    first = open_lesson(world, reg.history1, TODAY)
    page.context.clear_cookies()
    login(page, "n-in", TEST_PASSWORD)
    page.goto(f"/frekwencja/lekcje/{lesson.pk}/")
    row = page.locator(f'tr[data-student="{world.student.pk}"]')
    assert row.locator(".notice-badge").inner_text() == "nieobecność zgłoszona przez rodzica"
    assert "ortodont" not in row.inner_text()  # the reason is for the class teacher
    assert row.locator("input:checked").get_attribute("value") == str(reg.kinds["u"].pk)
    with page.expect_navigation():
        page.click("#lesson-form button[type=submit]")
    assert AttendanceMark.objects.get(lesson=lesson, student=world.student).kind.code == "u"
    page.context.clear_cookies()
    login(page, "wych", TEST_PASSWORD)
    page.goto(f"/frekwencja/lekcje/{first.pk}/")
    row = page.locator(f'tr[data-student="{world.student.pk}"]')
    assert row.locator(".notice-badge").count() == 0
    assert row.locator("input:checked").get_attribute("value") == str(reg.kinds["ob"].pk)
