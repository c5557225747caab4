"""The history reads as sentences a principal understands (issue 10, "Wrong" 13): Polish
field names and choice labels, local times, people and lessons by name, never ids."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance import services
from dziennik.attendance.tests.factories import build_register, committed, save_lesson
from dziennik.core import audit
from dziennik.grades.tests.factories import BehaviourGradeFactory, ClassificationGradeFactory
from dziennik.schools.models import Enrolment, Student
from testsupport.a11y import assert_no_axe_violations
from testsupport.browser import login
from testsupport.url_matrix import Scene

URL = "/historia/"


@pytest.fixture
def decided(world):
    """A parent excuses Zofia's absence and late arrival; the class teacher accepts."""
    reg = build_register(world)
    save_lesson(world, reg, reg.history1, {world.student: "nb"})
    save_lesson(world, reg, reg.math2, {world.student: "sp"})
    justification = services.justification_submit(
        actor=world.user("own_parent"),
        student=world.student,
        reason="Choroba",
        date_from=reg.day,
        date_to=reg.day,
    )
    with committed():
        services.justification_decide(
            actor=world.user("class_teacher"),
            justification=justification,
            accept=True,
            comment="OK",
        )
    justification.refresh_from_db()
    return reg, justification


def history_text(page) -> str:
    return page.locator("#history").inner_text()


@pytest.mark.browser
def test_the_history_reads_as_sentences(world, decided, page):
    reg, justification = decided
    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto(URL + f"?student={world.student.pk}")
    text = history_text(page)

    # fields by their Polish names, statuses by their labels
    assert "Osoba składająca: Anna Wiśniewska" in text
    assert "Status: oczekujące → zaakceptowane" in text
    assert "pending" not in text and "accepted" not in text
    for english in ("submitted by", "decided at", "school:", "marks:"):
        assert english not in text.lower()
    # the decision time in Warsaw's time, not the stored UTC ISO string
    local = timezone.localtime(justification.decided_at).strftime("%d.%m.%Y %H:%M")
    assert f"Data decyzji: – → {local}" in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text)
    # the student with their class; the lessons by date, number, subject and class
    assert "Uczeń: Zofia Wiśniewska (4a)" in text
    day = reg.day.strftime("%d.%m.%Y")
    assert f"Zmiana – wpis frekwencji: {day}, lekcja 1, Historia, 4a" in text
    assert f"{day}, lekcja 2, Matematyka, 4a" in text
    # attendance kinds by name, not by code; no ids ("122 @ 3226: 2")
    assert "nb – nieobecność nieusprawiedliwiona → u – nieobecność usprawiedliwiona" in text
    assert " @ " not in text
    assert not re.search(r"Wpisy frekwencji: [\d, ]+$", text, re.MULTILINE)


@pytest.mark.browser
def test_the_student_filter_tells_namesakes_apart(world, page):
    namesake = Student.objects.create(
        school=world.school,
        first_name=world.student.first_name,
        last_name=world.student.last_name,
        birth_date=datetime.date(2015, 3, 4),
    )
    Enrolment.objects.create(
        student=namesake,
        school_class=world.school_class,
        journal_number=30,
        start_date=world.school_class.school_year.start_date,
    )
    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto(URL)
    options = page.locator("#f-student option").all_inner_texts()
    assert "Dąbrowski Kacper (4a)" in options
    same = [o for o in options if o.startswith("Wiśniewska Zofia (4a)")]
    assert len(same) == 2 and len(set(same)) == 2, same
    assert "Wiśniewska Zofia (4a), ur. 04.03.2015" in same
    page.set_viewport_size({"width": 1366, "height": 900})
    assert_no_axe_violations(page)


@pytest.mark.django_db
def test_a_timetable_change_is_named_by_its_lesson(world):
    scene = Scene(world)
    change = scene.change
    client = Client()
    client.force_login(world.user("principal"))
    page = client.get(URL).content.decode()
    weekday = change.entry.get_weekday_display()
    day = change.date.strftime("%d.%m.%Y")
    assert f"{day}, odwołana: {weekday}, lekcja 2, Matematyka, 4a" in page
    assert f": {change.entry_id}<" not in page


@pytest.mark.django_db
def test_term_and_behaviour_grades_are_named_by_subject_and_kind(world):
    teacher = world.user("teacher_in")
    proposal = ClassificationGradeFactory(
        school_class=world.school_class,
        student=world.student,
        subject=world.subject,
        term=world.term1,
        is_proposal=True,
        grade=5,
    )
    behaviour = BehaviourGradeFactory(
        school_class=world.school_class, student=world.student, term=world.term1
    )
    for row in (proposal, behaviour):
        audit.record_create(
            actor=teacher,
            instance=row,
            student_id=world.student.pk,
            school_class_id=world.school_class.pk,
        )
    client = Client()
    client.force_login(world.user("principal"))
    page = client.get(URL).content.decode()
    assert (
        "Nowy wpis – ocena klasyfikacyjna: Matematyka, ocena śródroczna (przewidywana) – 5" in page
    )
    assert "Nowy wpis – ocena zachowania: ocena śródroczna – bardzo dobre" in page
