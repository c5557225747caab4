"""In the browser, as a parent and a student (issue 10): the compact grade overview is the
first grade screen, its chips give their details on focus, hover and tap; descriptive
grades are shown whole; the comparison names the year group; the calculator never leaves
an old answer beside new input and says when the target is met; the charts keep their
proportions and have axes with dates."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.grades import services
from testsupport.a11y import axe_violations, format_violations
from testsupport.browser import login

from .conftest import add_column, in_term
from .helpers import fill_class

pytestmark = pytest.mark.browser

LONG_TEXT = (
    "Czyta płynnie i ze zrozumieniem, chętnie opowiada o przeczytanych książkach; "
    "powinna ćwiczyć staranne pisanie liter w liniaturze."
)
FAILING = {"moderate", "serious", "critical"}


def assert_accessible(page):
    """No axe finding of moderate impact or worse (the issue's bar), at this width."""
    found = [v for v in axe_violations(page) if v["impact"] in FAILING]
    assert not found, format_violations(found)


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def graded(world, grading):
    """Zofia: a 4+ with a comment in a test, a descriptive grade far over 40 characters,
    a term grade; Kacper has grades too (never shown to Zofia's family)."""
    teacher = world.user("teacher_in")
    test = add_column(world, name="Sprawdzian – ułamki", cat="Sprawdzian", days=10)
    services.grade_set(
        actor=teacher, assessment=test, student=world.student, raw="4+", comment="Brawo!"
    )
    services.grade_set(actor=teacher, assessment=test, student=world.classmate, raw="2")
    reading = add_column(world, name="Czytanie", cat="Odpowiedź ustna", days=12, kind="descriptive")
    services.grade_set(actor=teacher, assessment=reading, student=world.student, raw=LONG_TEXT)
    services.classification_grade_set(
        actor=teacher,
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=False,
        grade=4,
    )
    return test


def test_the_overview_is_the_first_grade_screen(page, world, graded):
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(
        reverse("grades:student_overview", args=[world.student.pk]) + f"?okres={world.term1.pk}"
    )
    row = page.locator(f"#ov-subject-{world.subject.pk}")
    chips = row.locator("button.chip")
    assert chips.count() == 2
    assert chips.first.inner_text().startswith("4+")
    # First visit: everything is new, and says so to screen readers too.
    assert "nowa" in chips.first.text_content()
    assert row.locator(".ov-average").get_attribute("data-value") == "4.50"
    # the abbreviation on screen, the grade's full name for screen readers (G-01)
    term = row.locator(".ov-term")
    assert term.locator("[aria-hidden=true]").inner_text() == "db"
    assert term.text_content().split() == ["4", "db", "dobry"]
    # The descriptive grade is whole, in its chip.
    assert LONG_TEXT in chips.nth(1).inner_text()

    # Keyboard: Tab to the first chip shows its details, and screen readers get them as
    # its description; Escape hides them and keeps the focus.
    details = row.locator(".chip-details").first
    assert not details.is_visible()
    chips.first.focus()
    assert details.is_visible()
    text = details.inner_text()
    for fact in (
        "Sprawdzian – ułamki",
        in_term(world, 10).strftime("%d.%m.%Y"),
        "Sprawdzian",
        "waga 3",
        "Tomasz Lewandowski",
        "Brawo!",
    ):
        assert fact in text, (fact, text)
    assert chips.first.get_attribute("aria-describedby") == details.get_attribute("id")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "el => getComputedStyle(el).visibility === 'hidden'", arg=details.element_handle()
    )
    assert page.evaluate("document.activeElement.classList.contains('chip')")

    # Pointer: hovering the second chip shows its details.
    chips.nth(1).hover()
    assert row.locator(".chip-details").nth(1).is_visible()

    # The classmate's grades are nowhere.
    assert "Dąbrowski" not in page.content()
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 800})
        assert no_sideways_scroll(page), width
        assert_accessible(page)

    # A phone: a tap opens the details, as wide as the row, inside the screen.
    page.mouse.move(0, 0)
    chips.first.click()
    box = details.bounding_box()
    assert details.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert no_sideways_scroll(page)

    # The menu's "Oceny" leads here.
    page.goto(reverse("grades:index"))
    assert page.url.endswith(reverse("grades:student_overview", args=[world.student.pk]))
    page.goto(
        reverse("grades:student_overview", args=[world.student.pk]) + f"?okres={world.term1.pk}"
    )
    # The full tables are one click away.
    with page.expect_navigation():
        page.locator("#full-tables").click()
    assert page.locator(f"#subject-{world.subject.pk} .grades-table").is_visible()


def test_descriptive_grades_are_whole_on_the_grade_page_and_the_home_page(page, world, graded):
    """They were cut at 40 characters, without even an ellipsis."""
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term1.pk}")
    shown = page.locator(f"#subject-{world.subject.pk} .descriptive-grade").inner_text()
    assert " ".join(shown.split()) == LONG_TEXT
    page.goto(reverse("portal:home"))
    assert LONG_TEXT in " ".join(page.locator("#recent-grades").inner_text().split())
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 800})
        assert no_sideways_scroll(page), width


def test_the_comparison_names_the_year_group(page, world, graded):
    """ "Średnia roczna" reads as the student's annual average; it is the year group's."""
    fill_class(world, 6)
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term1.pk}")
    meta = page.locator(f"#subject-{world.subject.pk} .subject-meta").inner_text()
    assert "Średnia rocznika" in meta and "Średnia klasy" in meta
    assert "Średnia roczna" not in page.locator("main").inner_text()
    header = page.locator(f"#subject-{world.subject.pk} .grades-table thead").inner_text()
    assert "Średnia klasy z tej oceny" in header


def test_the_calculator_replaces_its_answer_and_knows_a_met_target(page, world, graded):
    login(page, "uczen-test", TEST_PASSWORD)
    page.goto(reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term1.pk}")
    page.select_option("#need-subject", str(world.subject.pk))
    page.select_option("#need-weight", "3")
    page.fill("#need-target", "5")
    page.locator("#need-form button").click()
    answer = page.locator("#need-answer")
    answer.wait_for()
    assert answer.get_attribute("data-grade") == "5+"  # (4.5·3 + 5.5·3) / 6 = 5

    # Nonsense: the old answer goes, the reason comes.
    page.fill("#need-target", "pięć")
    page.locator("#need-form button").click()
    error = page.locator("#need-error")
    error.wait_for()
    assert "od 1 do 6" in error.inner_text()
    assert page.locator("#need-answer").count() == 0

    # Below the current average (4.5): met already, whatever comes next.
    page.fill("#need-target", "2")
    page.locator("#need-form button").click()
    page.locator("#need-answer[data-met='true']").wait_for()
    assert "już osiągnięty" in page.locator("#need-answer").inner_text()
    assert_accessible(page)


def test_charts_keep_their_proportions_and_have_dated_axes(page, world, graded):
    teacher = world.user("teacher_in")
    quiz = add_column(world, name="Kartkówka", cat="Kartkówka", days=40)
    services.grade_set(actor=teacher, assessment=quiz, student=world.student, raw="2")
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term1.pk}")
    page.locator(".subject-progress summary").first.click()
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 800})
        for chart in (page.locator("svg.avg-chart").first, page.locator("svg.avg-chart.small")):
            assert chart.get_attribute("preserveAspectRatio") is None
            view = [float(n) for n in chart.get_attribute("viewBox").split()]
            box = chart.bounding_box()
            assert abs(box["width"] / box["height"] - view[2] / view[3]) < 0.02
            dot = chart.locator("circle").first.bounding_box()
            assert abs(dot["width"] - dot["height"]) < 0.5  # round, not an ellipse
            labels = chart.locator("text.axis").all_text_contents()
            assert in_term(world, 10).strftime("%d.%m") in labels
            assert {"1", "6"} <= set(labels)
        assert no_sideways_scroll(page)


@pytest.mark.parametrize("username", ["rodzic-test", "uczen-test"])
def test_family_grade_screens_pass_axe_at_both_widths(page, world, graded, username):
    """The overview, the full grade page (charts and calculator open) and the home page
    with its recent grades: no axe finding of moderate impact or worse, no sideways
    scrolling, at 360 and 1366 px."""
    fill_class(world, 6)
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    login(page, username, TEST_PASSWORD)
    term = f"?okres={world.term1.pk}"
    screens = [
        reverse("grades:student_overview", args=[world.student.pk]) + term,
        reverse("grades:student", args=[world.student.pk]) + term,
        reverse("portal:home"),
    ]
    for width in (360, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        for url in screens:
            page.goto(url)
            for summary in page.locator("main details summary").all():
                summary.click()
            assert no_sideways_scroll(page), (width, url)
            assert_accessible(page)
