"""In the browser: the teacher adds a column and grades the whole class with the keyboard
only; the parent sees the grade and the new average; the class comparison appears only
after the principal switches it on. A term grades sheet with a bad cell saves nothing and
says why next to the cell."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.grades.models import Assessment, ClassificationGrade, Grade
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .helpers import fill_class

pytestmark = pytest.mark.browser


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username, TEST_PASSWORD)


def test_keyboard_grading_and_what_the_parent_sees(page, world, grading):
    students = fill_class(world, 6)
    login(page, "n-in", TEST_PASSWORD)
    page.goto(reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk]))

    # New column for the whole class, keyboard only.
    page.locator("#new-column summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "col-name"
    page.keyboard.type("Sprawdzian – ułamki")
    # Date (today; Tab walks through its day/month/year parts), then the category
    # (the first: Sprawdzian, weight 3), then the weight.
    for _step in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "col-weight":
            break
    assert page.evaluate("document.activeElement.id") == "col-weight"
    page.keyboard.type("3")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    column = Assessment.objects.get(name="Sprawdzian – ułamki")
    assert column.weight == 3

    # The first cell of the new column has the focus: type down the column.
    page.wait_for_function(
        f"document.activeElement && document.activeElement.dataset.assessment == {column.pk}"
    )
    for symbol in ["4+", "5", "3-", "np", "7", "2"]:
        page.keyboard.type(symbol)
        page.keyboard.press("Enter")
    # "7" is refused in place: marked invalid, with the message, the text kept.
    bad = page.locator(f'.grade-input[data-assessment="{column.pk}"][data-row="4"]')
    page.wait_for_function(
        "el => el.getAttribute('aria-invalid') === 'true'", arg=bad.element_handle()
    )
    assert bad.input_value() == "7"
    assert page.locator(".cell-error").count() == 1
    # Fix it with the keyboard: Enter on the last row stays there; up one, replace, Enter.
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.dataset.row") == "4"
    page.keyboard.press("Control+a")
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "el => !el.hasAttribute('aria-invalid') && el.dataset.saved === '6'",
        arg=bad.element_handle(),
    )
    last = page.locator(f'.grade-input[data-assessment="{column.pk}"][data-row="5"]')
    page.wait_for_function("el => el.dataset.saved === '2'", arg=last.element_handle())
    saved = dict(Grade.objects.filter(assessment=column).values_list("student_id", "symbol"))
    assert saved == {
        students[0].pk: "4+",
        students[1].pk: "5",
        students[2].pk: "3-",
        students[3].pk: "np",
        students[4].pk: "6",
        students[5].pk: "2",
    }
    assert page.locator("tr", has_text="Wiśniewska").locator(".row-average").inner_text() == "4,50"

    # The parent sees the grade and the new average, and no comparison yet.
    switch_user(page, "rodzic-test")
    page.goto(reverse("grades:student", args=[world.student.pk]))
    subject = page.locator(f"#subject-{world.subject.pk}")
    assert subject.locator(".grade-mark").inner_text() == "4+"
    assert subject.locator(".subject-average").get_attribute("data-value") == "4.50"
    assert page.locator(".class-average").count() == 0

    # The principal switches comparisons on (keyboard: Space on the checkbox).
    switch_user(page, "dyrektor-test")
    page.goto(reverse("grades:settings"))
    page.locator("#comparisons_enabled").focus()
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.locator("#settings-save").press("Enter")

    switch_user(page, "rodzic-test")
    page.goto(reverse("grades:student", args=[world.student.pk]))
    subject = page.locator(f"#subject-{world.subject.pk}")
    # five students with an average (np counts for nothing): (4.5+5+2.75+6+2) / 5
    assert subject.locator(".class-average").get_attribute("data-value") == "4.05"
    # A phone-width screen still shows the chart and the average.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.locator("svg.avg-chart").first.bounding_box()["width"] <= 360


def test_a_refused_sheet_shows_each_error_by_its_cell_and_saves_nothing(page, world, grading):
    """The teacher types a proposal and an impossible grade: nothing is saved, the bad
    cell says why, both keep what was typed; corrected, the whole sheet saves."""
    login(page, "n-in", TEST_PASSWORD)
    page.goto(reverse("grades:classification", args=[world.school_class.pk, world.subject.pk]))
    good = page.locator(f'input[name="term_proposal_{world.student.pk}"]')
    bad = page.locator(f'input[name="term_proposal_{world.classmate.pk}"]')
    good.fill("4")
    bad.fill("7")
    with page.expect_navigation():
        bad.press("Enter")
    assert page.locator("#classification-errors").is_visible()
    assert "Kacper Dąbrowski" in page.locator("#classification-errors").inner_text()
    assert not ClassificationGrade.objects.exists()
    assert good.input_value() == "4" and good.get_attribute("aria-invalid") is None
    assert bad.input_value() == "7" and bad.get_attribute("aria-invalid") == "true"
    error = page.locator(f"#{bad.get_attribute('aria-describedby')}")
    assert "od 1 do 6" in error.inner_text()
    assert_no_serious_axe_violations(page)

    bad.fill("3")
    with page.expect_navigation():
        bad.press("Enter")
    assert page.locator("#classification-errors").count() == 0
    saved = dict(
        ClassificationGrade.objects.filter(is_proposal=True).values_list("student_id", "grade")
    )
    assert saved == {world.student.pk: 4, world.classmate.pk: 3}
