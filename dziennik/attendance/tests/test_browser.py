import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance.models import AttendanceMark, Lesson
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import add_students, build_register, open_lesson

pytestmark = pytest.mark.browser

TOPIC = "Ułamki dziesiętne – ćwiczenia"


def test_teacher_takes_attendance_with_the_keyboard_and_parent_sees_it(world, page):
    reg = build_register(world)
    extra = add_students(world, 3)  # 5 students: Zofia, Kacper, then three more
    login(page, "n-in", TEST_PASSWORD)
    page.goto("/plan/nauczyciel/")
    with page.expect_navigation():
        page.click(f'button.open-lesson[data-entry="{reg.math2.pk}"]')
    lesson = Lesson.objects.get()
    assert page.url.endswith(f"/frekwencja/lekcje/{lesson.pk}/")

    assert_no_serious_axe_violations(page)
    page.locator("#id_topic").focus()
    page.keyboard.type(TOPIC)
    page.keyboard.press("Tab")  # to the first student's marks
    for key in ("n", "s", "n", "n"):  # Zofia absent, Kacper late, two more absent
        page.keyboard.press(key)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.locator("#lesson-status.ok").count() == 1

    marks = dict(
        AttendanceMark.objects.filter(lesson=lesson).values_list("student_id", "kind__code")
    )
    assert marks == {
        world.student.pk: "nb",
        world.classmate.pk: "sp",
        extra[0].pk: "nb",
        extra[1].pk: "nb",
        extra[2].pk: "ob",
    }
    lesson.refresh_from_db()
    assert lesson.topic == TOPIC and lesson.conducted_at is not None

    # the parent of an absent child sees the absence and the topic at once
    page.context.clear_cookies()
    login(page, "rodzic-test", TEST_PASSWORD)
    assert (
        page.locator(
            f'#attendance-alerts [data-alert-kind="unexcused"][data-student="{world.student.pk}"]'
        ).count()
        == 1
    )
    page.goto(f"/frekwencja/uczen/{world.student.pk}/")
    mark = AttendanceMark.objects.get(lesson=lesson, student=world.student)
    row = page.locator(f'#recent-lessons tr[data-mark="{mark.pk}"]')
    assert row.get_attribute("data-kind") == "nb"
    assert row.locator("td.topic").inner_text() == TOPIC
    assert "Kacper" not in page.content()
    assert_no_serious_axe_violations(page)


def test_parent_screens_are_accessible(world, page):
    reg = build_register(world)
    from .factories import save_lesson

    save_lesson(world, reg, reg.math2, {world.student: "nb"}, topic="Ułamki")
    login(page, "rodzic-test", TEST_PASSWORD)
    for url in (
        f"/plan/uczen/{world.student.pk}/",
        f"/frekwencja/uczen/{world.student.pk}/tematy/",
        f"/frekwencja/uczen/{world.student.pk}/usprawiedliwienie/",
        "/plan/kalendarz/",
    ):
        page.goto(url)
        assert_no_serious_axe_violations(page)
    # the justification goes through the form with the keyboard too
    page.goto(f"/frekwencja/uczen/{world.student.pk}/usprawiedliwienie/")
    page.locator("input[name=marks]").first.check()
    page.fill("#id_reason", "Wizyta u lekarza")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator('#justifications tr[data-status="pending"]').count() == 1


def test_same_as_previous_lesson_in_one_step(world, page):
    from .factories import save_lesson

    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "nb", world.classmate: "zw"})
    login(page, "n-in", TEST_PASSWORD)
    page.goto("/frekwencja/dzis/")
    with page.expect_navigation():
        page.click(f'button.open-lesson[data-entry="{reg.math3.pk}"]')
    page.fill("#id_topic", "Ułamki – ćwiczenia")
    page.click("#copy-previous")
    with page.expect_navigation():
        page.click("#save-lesson")
    lesson = Lesson.objects.get(slot__number=3)
    assert dict(
        AttendanceMark.objects.filter(lesson=lesson).values_list("student_id", "kind__code")
    ) == {world.student.pk: "nb", world.classmate.pk: "zw"}


def test_a_stale_tab_keeps_the_newer_mark_and_shows_the_conflict(world, page):
    """Two tabs of the same lesson: the newer one marks Zofia absent and saves; the
    older one, still showing her present, marks her late and Kacper released: nothing
    is saved, the conflict names Zofia and shows her saved absence, Kacper's change is
    kept on the form, and saving again saves it."""
    reg = build_register(world)
    lesson = open_lesson(world, reg.math2, reg.day)
    login(page, "n-in", TEST_PASSWORD)
    url = f"/frekwencja/lekcje/{lesson.pk}/"
    stale = page
    stale.goto(url)
    newer = page.context.new_page()
    newer.goto(url)

    def choose(tab, student, code):
        tab.locator(f'input[name="mark-{student.pk}"][value="{reg.kinds[code].pk}"]').check()

    choose(newer, world.student, "nb")
    with newer.expect_navigation():
        newer.click("#save-lesson")
    choose(stale, world.student, "sp")
    choose(stale, world.classmate, "zw")
    with stale.expect_navigation():
        stale.click("#save-lesson")
    conflict = stale.locator("#lesson-conflict")
    assert world.student.full_name in conflict.inner_text()
    assert "Ktoś inny zmienił to w międzyczasie" in conflict.inner_text()
    nb = stale.locator(f'input[name="mark-{world.student.pk}"][value="{reg.kinds["nb"].pk}"]')
    zw = stale.locator(f'input[name="mark-{world.classmate.pk}"][value="{reg.kinds["zw"].pk}"]')
    assert nb.is_checked() and zw.is_checked()
    marks = dict(
        AttendanceMark.objects.filter(lesson=lesson).values_list("student_id", "kind__code")
    )
    assert marks == {world.student.pk: "nb", world.classmate.pk: "ob"}
    assert_no_serious_axe_violations(stale)
    with stale.expect_navigation():
        stale.click("#save-lesson")
    marks = dict(
        AttendanceMark.objects.filter(lesson=lesson).values_list("student_id", "kind__code")
    )
    assert marks == {world.student.pk: "nb", world.classmate.pk: "zw"}
