"""Browser tests: the printouts and the calendar feed as people get them (issue 10, items
7 and 8): in Polish, with Polish decimal commas, whole words in table headers, and each
descriptive grade a block of its own."""

from __future__ import annotations

import io

import icalendar
import pytest
from pypdf import PdfReader

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.browser import login

from .test_output_language import english_in, register_data  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def pdf_lines(response) -> list[str]:
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def test_parent_prints_the_grade_sheet_in_polish(world, page, register_data):  # noqa: F811
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(f"/oceny/uczen/{world.student.pk}/?okres={world.term1.pk}")  # the overview
    link = page.locator("main a[href*='arkusz.pdf']")
    lines = pdf_lines(page.request.get(link.get_attribute("href")))
    text = "\n".join(lines)
    assert english_in(text) == []
    assert "Wydrukowano:" in text
    # The average with a Polish decimal comma (4+ is 4,50 here).
    assert "4,50" in text and "4.50" not in text
    # The table's headers are whole words, each in one piece.
    header = next(line for line in lines if line.startswith("Przedmiot"))
    assert header.split() == ["Przedmiot", "Oceny", "Średnia", "Oceny", "śródroczne", "i", "roczne"]
    # The descriptive grade is a block of its own: a heading naming it, then its text
    # whole, referred to from the table by its number.
    heading = next(index for index, line in enumerate(lines) if line.startswith("[1] "))
    assert "Matematyka · Odpowiedź ustna" in lines[heading]
    assert lines[heading + 1] == "Bardzo ładnie rozwiązuje zadania tekstowe z ułamkami."
    assert any("4+" in line and "[1]" in line for line in lines[:heading])
    assert "Zachowanie" not in text or "bardzo dobre" in text


def test_parent_prints_attendance_and_the_class_teacher_the_monthly_sheet(
    world,
    page,
    register_data,  # noqa: F811
):
    login(page, "rodzic-test", TEST_PASSWORD)
    day = register_data.day.isoformat()
    page.goto(f"/frekwencja/uczen/{world.student.pk}/?od={day}&do={day}")
    lines = pdf_lines(page.request.get(page.locator("#print-pdf").get_attribute("href")))
    text = "\n".join(lines)
    assert english_in(text) == []
    header = next(line for line in lines if line.startswith("Data"))
    assert header.split() == ["Data", "Lekcja", "Przedmiot", "Frekwencja", "Temat"]
    assert "50,0%" in text

    page.context.clear_cookies()
    login(page, "wych", TEST_PASSWORD)
    page.goto(f"/frekwencja/klasa/{world.school_class.pk}/")
    link = page.get_by_role("link", name="Arkusz miesięczny (PDF)")
    lines = pdf_lines(page.request.get(link.get_attribute("href")))
    text = "\n".join(lines)
    assert english_in(text) == []
    assert lines[0].startswith("Miesięczne zestawienie frekwencji – klasa 4a – ")


def test_parents_calendar_is_in_polish(world, page, register_data):  # noqa: F811
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto("/plan/kalendarz/")
    with page.expect_navigation():
        page.click("#create-feed")
    address = page.locator("#feed-url").input_value()
    # A calendar application asks without the browser's cookies and in English.
    response = page.context.request.get(address, headers={"Accept-Language": "en-US"})
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(response.body())
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert "Odwołana: Matematyka – 4a" in summaries
    assert english_in(response.text()) == []
