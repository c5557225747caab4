"""The class teacher's grade summary of their class (issue 10): every subject's averages,
proposals and grades per student, and who is at risk – in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dziennik.grades import services
from dziennik.schools import models as sm

from .conftest import add_column
from .helpers import fill_class, grade_all

# The layout's (session, user, viewer) and the page's own: class, terms, settings,
# subjects, students, averages, term grades (14 whatever the size).
SUMMARY_QUERIES = 14
# The last term: the year's grades and the school's rules instead of the kept averages.
YEAR_SUMMARY_QUERIES = 11


def propose(world, student, grade, *, is_proposal=True):
    services.classification_grade_set(
        actor=world.user("teacher_in"),
        student=student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=is_proposal,
        grade=grade,
    )


def test_the_summary_shows_averages_proposals_and_who_is_at_risk(world, grading):
    students = fill_class(world, 4)
    grade_all(world, students, ["5", "1", "4", "2"])
    propose(world, students[0], 5)
    propose(world, students[2], 1)  # a proposed 1 is a risk even with a 4 average
    response = world.client("class_teacher").get(
        reverse("grades:class_summary", args=[world.school_class.pk]) + f"?okres={world.term1.pk}"
    )
    assert response.status_code == 200
    summary = response.context["summary"]
    subject = next(s for s in summary.subjects if s.subject == world.subject)
    assert subject.class_average == 3  # (5 + 1 + 4 + 2) / 4
    assert (subject.proposals, subject.grades, subject.at_risk) == (2, 0, 2)
    at_risk = {row.student.pk: row.risks for row in summary.at_risk}
    assert at_risk == {students[1].pk: ["Matematyka"], students[2].pk: ["Matematyka"]}
    html = response.content.decode()
    assert 'id="at-risk-count">2<' in html
    assert reverse("attendance:class_summary", args=[world.school_class.pk]) in html


def test_the_class_teacher_finds_it_beside_the_attendance_summary(world, grading):
    client = world.client("class_teacher")
    url = reverse("grades:class_summary", args=[world.school_class.pk])
    assert url in client.get(reverse("grades:gradebook_list")).content.decode()
    attendance = client.get(reverse("attendance:class_summary", args=[world.school_class.pk]))
    assert url in attendance.content.decode()


@pytest.mark.parametrize("size", [(2, 1, 1), (15, 6, 3)], ids=["few", "many"])
def test_summary_queries(world, grading, size, django_assert_num_queries):
    pupils, subjects, columns = size
    students = fill_class(world, pupils)
    teacher = world.user("teacher_in")
    for n in range(subjects - 1):
        subject = sm.Subject.objects.create(school=world.school, name=f"Przedmiot {n}")
        sm.TeachingAssignment.objects.create(
            school=world.school, teacher=teacher, subject=subject, school_class=world.school_class
        )
        grade_all(world, students, ["4", "3+", "2"] * 5, columns=columns, subject=subject)
    for student in students:
        propose(world, student, 3)
    client = world.client("class_teacher")
    url = reverse("grades:class_summary", args=[world.school_class.pk])
    client.get(url)
    with django_assert_num_queries(SUMMARY_QUERIES):
        response = client.get(url + f"?okres={world.term1.pk}")
    assert response.content.decode().count('class="summary-cell') == pupils * (subjects + 1)


def test_the_class_teachers_home_leads_to_the_summary(world, grading):
    url = reverse("grades:class_summary", args=[world.school_class.pk])
    home = world.client("class_teacher").get(reverse("portal:home")).content.decode()
    assert 'id="panel-class-grades"' in home and url in home
    assert 'id="panel-class-grades"' not in (
        world.client("teacher_in").get(reverse("portal:home")).content.decode()
    )


def test_in_the_last_term_the_averages_cover_the_year(world, grading):
    """The final grade reflects the whole year (G-05): term 1's 5 and term 2's 1 give 3,
    whatever term 2 alone says; the proposals shown are the final ones."""
    teacher = world.user("teacher_in")
    first = add_column(world, name="Sprawdzian 1", cat="Sprawdzian")
    services.grade_set(actor=teacher, assessment=first, student=world.student, raw="5")
    second = add_column(world, name="Sprawdzian 2", cat="Sprawdzian")
    second.term = world.term2
    second.date = world.term2.start_date
    second.save()
    services.grade_set(actor=teacher, assessment=second, student=world.student, raw="1")
    services.classification_grade_set(
        actor=teacher,
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term2,
        kind="final",
        is_proposal=True,
        grade=3,
    )
    client = world.client("class_teacher")
    url = reverse("grades:class_summary", args=[world.school_class.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + f"?okres={world.term2.pk}")
    assert len(queries) == YEAR_SUMMARY_QUERIES, len(queries)
    summary = response.context["summary"]
    assert summary.final
    row = next(r for r in summary.rows if r.student == world.student)
    index = next(i for i, s in enumerate(summary.subjects) if s.subject == world.subject)
    assert row.cells[index].average == 3
    assert row.cells[index].proposed.grade == 3
    assert row.risks == []
