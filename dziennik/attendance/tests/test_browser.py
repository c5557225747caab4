import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance.models import AttendanceMark, Lesson
from dziennik.core.browser import login

from .factories import add_students, build_register

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
