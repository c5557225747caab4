"""The students' grade sheets (*arkusze ocen*): what the PDF says, who may print it, its
cost, and its place in the year-end archive."""

from __future__ import annotations

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dziennik.grades import services as grades
from dziennik.promotion import services, ui
from dziennik.schools.models import TeachingAssignment
from dziennik.schools.tests import factories as sf

from .factories import annual, behaviour

ABSENCE_REASON = "Nieobecności na ponad połowie zajęć z matematyki"


def _text(content: bytes) -> str:
    """The PDF's text on one line, words hyphenated at a line's end joined again."""
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u2010\n", "").replace("\n", " ")


def _classify(world):
    """Zofia (PESEL of a woman): celujący and bardzo dobry, exempt from PE, behaviour
    wzorowe: promoted with distinction. Kacper: not classified in Matematyka (absence,
    with the reason in words) and exempt from Historia: not promoted. The council decides
    today (resolution 12/2027) and the principal confirms."""
    principal = world.user("principal")
    world.student.pesel = "15251712342"  # tenth digit even: a woman
    world.student.second_name = "Maria"
    world.student.birth_place = "Kraków"
    world.student.save()
    pe = sf.SubjectFactory(school=world.school, name="Wychowanie fizyczne")
    TeachingAssignment.objects.create(
        school=world.school,
        teacher=world.user("class_teacher"),
        subject=pe,
        school_class=world.school_class,
    )
    grades.grading_setup_defaults(school=world.school)
    annual(world, world.student, world.subject, grade=6)
    annual(world, world.student, world.other_subject, grade=5)
    annual(world, world.student, pe, outcome="zw")
    behaviour(world, world.student, "wz")
    nkl = annual(world, world.classmate, world.subject, outcome="nkl")
    grades.unclassified_details_set(
        actor=principal, classification_grade=nkl, reason="absence", reason_text=ABSENCE_REASON
    )
    annual(world, world.classmate, world.other_subject, outcome="zw")
    annual(world, world.classmate, pe, grade=3)
    behaviour(world, world.classmate, "popr")
    services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    services.promotion_decision_record(
        actor=principal,
        school_class=world.school_class,
        council_date=timezone.localdate(),
        resolution_number="12/2027",
    )
    services.promotion_list_confirm(actor=principal, school_class=world.school_class)


def test_the_class_sheets_say_the_grades_outcomes_and_decisions_in_polish(world):
    _classify(world)
    response = world.client("class_teacher").get(
        reverse("promotion:sheets_pdf", args=[world.school_class.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    _school, zofia, kacper = text.split("Arkusz ocen ucznia")
    # Zofia's sheet: personal data, the scale's legal names, the feminine "exempt".
    assert "Wiśniewska" in zofia and "Dąbrowski" in kacper
    assert "15251712342" in zofia and "Zofia Maria" in zofia and "Kraków" in zofia
    assert "Anna Wiśniewska" in zofia  # her mother
    assert "Matematyka celujący" in zofia
    assert "Historia bardzo dobry" in zofia
    assert "Wychowanie fizyczne zwolniona" in zofia
    assert "wzorowe" in zofia
    assert "5,50" in zofia  # the average of 6 and 5: PE does not count
    assert "promocja z wyróżnieniem do klasy 5" in zofia
    assert timezone.localdate().strftime("%d.%m.%Y") in zofia and "12/2027" in zofia
    assert "Podpis wychowawcy" in zofia and "Podpis i pieczęć dyrektora szkoły" in zofia
    # Kacper's: the masculine outcomes, the reason for "not classified", no promotion.
    assert "Matematyka nieklasyfikowany" in kacper
    assert ABSENCE_REASON in kacper
    assert "Historia zwolniony" in kacper
    assert "Wychowanie fizyczne dostateczny" in kacper
    assert "poprawne" in kacper
    assert "brak promocji" in kacper and "do klasy 5" not in kacper


def test_one_students_sheet_holds_only_them(world):
    _classify(world)
    url = reverse("promotion:sheet_pdf", args=[world.school_class.pk, world.classmate.pk])
    text = _text(world.client("secretary").get(url).content)
    assert "Kacper" in text and "Zofia" not in text
    assert text.count("Arkusz ocen ucznia") == 1


def test_a_student_not_of_the_class_has_no_sheet_there(world):
    url = reverse("promotion:sheet_pdf", args=[world.other_class.pk, world.student.pk])
    assert world.client("principal").get(url).status_code == 404


def test_the_sheet_shows_every_earlier_year_of_the_student(world):
    """A student in 3a last year and 4a now: both years, each with its own grades."""
    last_year = sf.SchoolYearFactory(
        school=world.school,
        name="2025/2026",
        start_date=world.year.start_date.replace(year=world.year.start_date.year - 1),
        end_date=world.year.end_date.replace(year=world.year.end_date.year - 1),
    )
    old_class = sf.SchoolClassFactory(
        school=world.school, school_year=last_year, name="3a", level=3
    )
    sf.EnrolmentFactory(
        student=world.student,
        school_class=old_class,
        journal_number=7,
        end_date=last_year.end_date,
    )
    grades.grading_setup_defaults(school=world.school)
    annual(world, world.student, world.subject, grade=4)
    url = reverse("promotion:sheet_pdf", args=[world.school_class.pk, world.student.pk])
    text = _text(world.client("principal").get(url).content)
    assert f"Rok szkolny {last_year.name}, klasa 3a" in text
    assert f"Rok szkolny {world.year.name}, klasa 4a" in text
    assert text.index("klasa 3a") < text.index("klasa 4a")
    assert "Matematyka dobry" in text


def test_the_sheets_page_links_each_students_pdf(world):
    response = world.client("class_teacher").get(
        reverse("promotion:sheets", args=[world.school_class.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    for student in (world.student, world.classmate):
        assert reverse("promotion:sheet_pdf", args=[world.school_class.pk, student.pk]) in page
    assert reverse("promotion:sheets_pdf", args=[world.school_class.pk]) in page


def _grow(world, n, start):
    for i in range(start, start + n):
        student = sf.StudentFactory(school=world.school, first_name=f"Uczeń{i}", last_name="Nowy")
        sf.EnrolmentFactory(student=student, school_class=world.school_class, journal_number=i)
        annual(world, student, world.subject, grade=4)
        behaviour(world, student, "db")


def _count(world, url):
    client = world.client("principal")
    client.get(url)  # the session and the viewer are warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_class_sheets_cost_the_same_whatever_the_class_size(world):
    _classify(world)
    pdf = reverse("promotion:sheets_pdf", args=[world.school_class.pk])
    page = reverse("promotion:sheets", args=[world.school_class.pk])
    small = (_count(world, pdf), _count(world, page))
    _grow(world, 4, start=10)
    grown = (_count(world, pdf), _count(world, page))
    assert (small, grown) == ((CLASS_PDF, PAGE), (CLASS_PDF, PAGE)), (small, grown)


# The session and viewer, the class, its students, their years, guardians, the school's
# grading settings and rules, the annual grades, behaviour, subjects taught, attendance
# and the promotion entries.
CLASS_PDF, PAGE = 13, 4


def test_the_year_end_archive_holds_each_class_sheets(world):
    _classify(world)
    parts = {part.name: part for part in ui.archive_parts(world.year)}
    assert "grade-sheets/class-4a.pdf" in parts
    assert "grade-sheets/class-4b.pdf" not in parts  # no students
    part = parts["grade-sheets/class-4a.pdf"]
    assert part.content_type == "application/pdf"
    text = _text(part.build())
    assert "promocja z wyróżnieniem" in text and "Dąbrowski" in text
