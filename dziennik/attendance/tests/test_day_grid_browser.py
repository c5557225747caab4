"""The student's attendance as a day × lesson grid beside the statistics: every mark is
its code (never colour alone) with the subject and kind for screen readers, a legend, and
the page passes axe (moderate findings included) at 360 and 1366 px without scrolling
sideways."""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import axe_violations, format_violations
from testsupport.browser import login

from .factories import build_register, save_lesson

pytestmark = pytest.mark.browser

FAILING = {"moderate", "serious", "critical"}


def _assert_accessible(page):
    found = [v for v in axe_violations(page) if v["impact"] in FAILING]
    assert found == [], format_violations(found)


@pytest.mark.parametrize(
    ("user", "width"), [("rodzic-test", 360), ("rodzic-test", 1366), ("wych", 1366)]
)
def test_day_grid_beside_the_statistics(world, page, user, width):
    reg = build_register(world)
    save_lesson(world, reg, reg.history1, {world.student: "ob"})
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    save_lesson(world, reg, reg.math3, {world.student: "sp"})
    page.set_viewport_size({"width": width, "height": 900})
    login(page, user, TEST_PASSWORD)
    page.goto(f"/frekwencja/uczen/{world.student.pk}/")

    grid = page.locator("#attendance-grid")
    heads = grid.locator("thead th").all_inner_texts()
    assert [h.split()[-1] for h in heads] == ["Dzień", "1", "2", "3"]
    assert heads[1].split() == ["lekcja", "1"]  # the number is read out as a lesson
    row = grid.locator(f'tr[data-date="{reg.day:%Y-%m-%d}"]')
    cells = row.locator("td .mark")
    assert [c.get_attribute("class") for c in cells.all()] == [
        "mark base-present",
        "mark base-absent",
        "mark base-late",
    ]
    # The code is visible; the subject and the kind's name are read out with it.
    texts = cells.all_inner_texts()
    assert [t.split()[0] for t in texts] == ["ob", "nb", "sp"]
    assert "Matematyka" in cells.nth(1).text_content()
    assert "nieobecność nieusprawiedliwiona" in cells.nth(1).text_content().lower()
    legend = page.locator("#grid-legend dt").all_inner_texts()
    assert legend == ["ob", "nb", "sp"]
    # The school's colour reaches the chip (through the CSSOM, as the CSP requires).
    assert cells.nth(1).evaluate("e => getComputedStyle(e).getPropertyValue('--colour')")
    if width >= 1024:  # beside the statistics
        grid_box = page.locator("#day-grid").bounding_box()
        stats_box = page.locator("#summary-h").bounding_box()
        assert stats_box["x"] > grid_box["x"] + grid_box["width"] - 1
        assert abs(stats_box["y"] - page.locator("#grid-h").bounding_box()["y"]) < 5
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _assert_accessible(page)
