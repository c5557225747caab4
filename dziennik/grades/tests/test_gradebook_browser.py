"""In the browser, as a teacher (issue 10): the gradebook's hint and its rule agree about
``bz`` (homework is not graded in classes 1–8 of a public primary school, G-07)."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.grades.models import ClassificationGrade, Grade
from testsupport.browser import login

from .conftest import add_column
from .helpers import fill_class, grade_all

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def type_in(page, column, row: int, text: str):
    cell = page.locator(f'.grade-input[data-assessment="{column.pk}"][data-row="{row}"]')
    cell.fill(text)
    cell.press("Enter")
    return cell


def test_the_hint_offers_only_marks_the_rule_accepts(page, world, grading):
    """``bz`` was listed as allowed and then always refused, even in a test column."""
    column = add_column(world, name="Sprawdzian – ułamki", cat="Sprawdzian")
    login(page, "n-in", TEST_PASSWORD)
    page.goto(
        reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk])
        + f"?okres={world.term1.pk}"
    )
    hint = page.locator("#grid-help").inner_text()
    offered = hint.split(":", 1)[1].split(")", 1)[0]
    assert "np" in offered and "nb" in offered and "bz" not in offered
    assert "bz" in page.locator("#homework-note").inner_text()
    # A homework column cannot even be chosen here.
    categories = page.locator("#col-category option").all_inner_texts()
    assert categories and not any("Praca domowa" in c for c in categories)

    # What the hint offers is accepted; bz is refused with the reason the note gives.
    saved = type_in(page, column, 0, "np")
    page.wait_for_function("el => el.dataset.saved === 'np'", arg=saved.element_handle())
    refused = type_in(page, column, 1, "bz")
    page.wait_for_function(
        "el => el.getAttribute('aria-invalid') === 'true'", arg=refused.element_handle()
    )
    assert "1 kwietnia 2024" in page.locator(".cell-error").inner_text()
    # A typo's refusal lists the marks the hint lists, without bz.
    refused.fill("xyz")
    refused.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.cell-error').textContent.includes('xyz')"
    )
    error = page.locator(".cell-error").inner_text()
    assert "np" in error and "bz" not in error
    assert list(Grade.objects.values_list("symbol", flat=True)) == ["np"]


def test_where_homework_is_graded_the_hint_offers_bz(page, world, grading):
    """A secondary school is not affected by the 2024 change: bz is offered and taken."""
    world.school.school_type = "lyceum"
    world.school.save()
    column = add_column(world, name="Sprawdzian – ułamki", cat="Sprawdzian")
    login(page, "n-in", TEST_PASSWORD)
    page.goto(
        reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk])
        + f"?okres={world.term1.pk}"
    )
    assert "bz" in page.locator("#grid-help").inner_text()
    assert page.locator("#homework-note").count() == 0
    cell = type_in(page, column, 0, "bz")
    page.wait_for_function("el => el.dataset.saved === 'bz'", arg=cell.element_handle())


def test_a_refused_sheet_says_what_happened_to_every_entry(page, world, grading):
    """One valid proposal and two bad cells: nothing saved, and the screen says so –
    how many cells are wrong, each named, and that the valid entry was not saved either."""
    login(page, "n-in", TEST_PASSWORD)
    page.goto(
        reverse("grades:classification", args=[world.school_class.pk, world.subject.pk])
        + f"?okres={world.term1.pk}"
    )
    page.locator(f'input[name="term_proposal_{world.student.pk}"]').fill("4")
    page.locator(f'input[name="term_proposal_{world.classmate.pk}"]').fill("7")
    bad = page.locator(f'input[name="final_proposal_{world.classmate.pk}"]')
    bad.fill("dobry")
    with page.expect_navigation():
        bad.press("Enter")
    summary = page.locator("#classification-errors-summary").inner_text()
    assert "Nic nie zapisano: 2 pola zawierają błędy" in summary
    assert "Pozostałych wpisów również nie zapisano" in summary
    named = page.locator("#classification-errors li").all_inner_texts()
    assert len(named) == 2 and all("Kacper Dąbrowski" in line for line in named)
    assert not ClassificationGrade.objects.exists()
    assert page.locator(f'input[name="term_proposal_{world.student.pk}"]').input_value() == "4"


def test_gradebook_ergonomics(page, world, grading):
    """The header stays in view while the grid scrolls; the average and the suggested
    grade stay in view at 1366 px however many columns; the comment/correction editor
    opens next to its cell from the keyboard and gives the focus back."""
    students = fill_class(world, 30)
    columns = grade_all(world, students[:3], ["4", "5", "3"], columns=14)
    login(page, "n-in", TEST_PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 700})
    page.goto(
        reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk])
        + f"?okres={world.term1.pk}"
    )
    wrap = page.locator(".gradebook-wrap")
    header = page.locator(f"#col-{columns[0].pk}")
    top = header.bounding_box()["y"]
    wrap.evaluate("el => el.scrollBy(0, 600)")
    assert wrap.evaluate("el => el.scrollTop") > 500
    assert abs(header.bounding_box()["y"] - top) < 4  # still at the top of the grid
    wrap.evaluate("el => el.scrollBy(2000, 0)")
    wrap.evaluate("el => el.scrollTo(0, el.scrollTop)")
    box = wrap.bounding_box()
    for selector in ("thead .col-average", "thead .col-proposed"):
        cell = page.locator(selector).bounding_box()
        assert box["x"] <= cell["x"] and cell["x"] + cell["width"] <= box["x"] + box["width"]
    assert no_sideways_scroll(page)

    # Keyboard: in a cell, Ctrl+Enter opens the editor beside the cell, focus in it.
    cell = page.locator(
        f'.grade-input[data-assessment="{columns[0].pk}"][data-student="{world.student.pk}"]'
    )
    cell.focus()
    page.keyboard.press("Control+Enter")
    editor = page.locator("#cell-editor")
    assert editor.is_visible()
    assert page.evaluate("document.activeElement.id") == "cell-comment"
    near, at = editor.bounding_box(), cell.bounding_box()
    assert abs(near["x"] - at["x"]) < 40 and 0 <= near["y"] - (at["y"] + at["height"]) < 40
    page.keyboard.type("Poprawiła się")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "cell-correction"
    page.keyboard.type("5")
    page.keyboard.press("Enter")  # saves and closes; the focus is back in the cell
    assert not editor.is_visible()
    assert page.evaluate("document.activeElement.dataset.student") == str(world.student.pk)
    page.wait_for_function(
        "el => el.dataset.correction === '5' && el.dataset.comment === 'Poprawiła się'",
        arg=cell.element_handle(),
    )
    grade = Grade.objects.get(assessment=columns[0], student=world.student, corrects=None)
    assert grade.comment == "Poprawiła się" and grade.correction.symbol == "5"
    # Escape closes without moving anywhere else.
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Escape")
    assert not editor.is_visible()
    assert page.evaluate("document.activeElement.dataset.student") == str(world.student.pk)
