"""In the browser: the principal finds the rule tables, makes a mistake in a category's
colour, corrects it, changes its weight and sees the new weight in the list and in the
teacher's gradebook column."""

from decimal import Decimal

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.grades.models import GradeCategory
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .conftest import category

pytestmark = pytest.mark.browser


def test_principal_changes_a_category_weight_on_screen(world, page, column):
    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto("/oceny/dziennik/")
    with page.expect_navigation():
        page.click("#rule-tables")
    sprawdzian = category(world.school)
    row = page.locator(f'#categories tr[data-category="{sprawdzian.pk}"]')
    assert row.locator("td.weight").inner_text() == "3"
    assert_no_serious_axe_violations(page)

    with page.expect_navigation():
        row.locator("a").click()
    assert "1 kolumna ma tę kategorię" in page.locator("#category-columns").inner_text()
    page.fill("#id_weight", "1,5")
    page.fill("#id_colour", "#ffcc00")  # too light
    with page.expect_navigation():
        page.click("#category-save")
    assert page.locator("#id_colour[aria-invalid=true]").count() == 1
    assert "4,5:1" in page.locator("#category-form").inner_text()
    assert page.input_value("#id_weight") == "1,5"  # kept
    assert_no_serious_axe_violations(page)
    page.fill("#id_colour", "#8a1538")
    with page.expect_navigation():
        page.click("#category-save")

    assert row.locator("td.weight").inner_text() == "1,50"
    assert "Zapisano kategorię Sprawdzian." in page.locator("body").inner_text()
    stored = GradeCategory.objects.get(pk=sprawdzian.pk)
    assert (stored.weight, stored.colour) == (Decimal("1.50"), "#8a1538")
    column.refresh_from_db()
    assert column.weight == Decimal("1.50")  # the column followed its category

    page.goto(f"/oceny/dziennik/{world.school_class.pk}/{world.subject.pk}/")
    assert "waga 1,50" in page.locator(f"#col-{column.pk}").inner_text()


def test_the_other_rule_screens_are_accessible(world, page, grading):
    login(page, "dyrektor-test", TEST_PASSWORD)
    for url in (
        "/oceny/ustawienia/tabele/",
        "/oceny/ustawienia/oceny-specjalne/nowa/",
        "/oceny/ustawienia/skala-punktowa/",
        "/oceny/ustawienia/progi-srednich/",
    ):
        page.goto(url)
        assert_no_serious_axe_violations(page)
    # a mistake in the thresholds is shown at its field
    page.fill("#id_grade_4", "2,5")
    with page.expect_navigation():
        page.click("#thresholds-save")
    assert page.locator("#id_grade_4[aria-invalid=true]").count() == 1
    assert_no_serious_axe_violations(page)
