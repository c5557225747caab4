"""Pinned query counts: the parent's page and the teacher's grid cost the same whatever
the number of students, subjects and grades."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from dziennik.core import cache
from dziennik.grades import services
from dziennik.grades.models import Assessment, BehaviourGrade, ClassificationGrade, Grade
from dziennik.grades.selectors import load_rules
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf

from .conftest import add_column
from .helpers import fill_class

# Cold (nothing cached): 8 of the parent page's queries are the layout's (session, user,
# viewer, child switcher); 12 are the grade page's own, 2 of them to find which cached
# versions it depends on (a reload with nothing new writes no "last seen" row); 1 the
# school's plan rules (the plans' gate, cached per configuration version). The session is
# not written on every request.
PARENT_PAGE_QUERIES = 21
PARENT_PAGE_WITH_COMPARISONS_QUERIES = 24
# Warm (the page body, the viewer with the child switcher, and the "last seen" mark
# cached): session and user only.
PARENT_PAGE_WARM_QUERIES = 2
TEACHER_GRID_QUERIES = 20


def build(world, *, students: int, subjects: int, columns: int):
    """Columns through the service; grades in bulk (the service is tested elsewhere)."""
    pupils = fill_class(world, students)
    teacher = world.user("teacher_in")
    rules = load_rules(world.school.pk)
    symbols = ["5", "4+", "3-", "np", "6", "2", "+", "1"]
    subject_list = [world.subject]
    for n in range(subjects - 1):
        subject = sm.Subject.objects.create(school=world.school, name=f"Przedmiot {n}")
        sm.TeachingAssignment.objects.create(
            school=world.school, teacher=teacher, subject=subject, school_class=world.school_class
        )
        subject_list.append(subject)
    grades = []
    for subject in subject_list:
        for c in range(columns):
            column = add_column(world, name=f"Kartkówka {c + 1}", days=10 + c)
            Assessment.objects.filter(pk=column.pk).update(subject=subject)
            for i, pupil in enumerate(pupils):
                symbol = symbols[(i + c) % len(symbols)]
                grades.append(
                    Grade(
                        school=world.school,
                        assessment=column,
                        student=pupil,
                        symbol=symbol,
                        value=rules.value_of(symbol),
                        teacher=teacher,
                    )
                )
    Grade.objects.bulk_create(grades)
    with transaction.atomic():  # as the services call it, in their transaction
        for subject in subject_list:
            for pupil in pupils:
                services.refresh_average(
                    student_id=pupil.pk, subject_id=subject.pk, term_id=world.term1.pk, rules=rules
                )


@pytest.fixture(params=[(2, 1, 1), (15, 6, 8)], ids=["few", "many"])
def sized(request, world, grading):
    students, subjects, columns = request.param
    build(world, students=students, subjects=subjects, columns=columns)
    return request.param


def test_parent_page_queries(world, sized, django_assert_num_queries):
    client = world.client("own_parent")
    url = reverse("grades:student", args=[world.student.pk])
    client.get(url)  # the first visit creates the "last seen" row
    with django_assert_num_queries(PARENT_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="subject card"') == sized[1] + 1  # + Historia


def test_parent_page_reload_is_served_from_the_cache(
    world, sized, django_assert_num_queries, assert_warm_queries
):
    client = world.client("own_parent")
    url = reverse("grades:student", args=[world.student.pk])
    client.get(url)
    with django_assert_num_queries(PARENT_PAGE_QUERIES):
        cold = client.get(url).content.decode()
    with assert_warm_queries(PARENT_PAGE_WARM_QUERIES):
        warm = client.get(url).content.decode()
    strip = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    assert strip.sub("", warm) == strip.sub("", cold)


def test_parent_page_queries_with_behaviour_grades(world, grading, django_assert_num_queries):
    """Behaviour grades of both terms show their term number without a query each."""
    BehaviourGrade.objects.bulk_create(
        BehaviourGrade(
            school=world.school,
            student=world.student,
            school_class=world.school_class,
            term=term,
            kind=kind,
            value="bdb",
        )
        for term in (world.term2, world.term1)
        for kind in ("final", "term")
    )
    client = world.client("own_parent")
    url = reverse("grades:student", args=[world.student.pk])
    client.get(url)
    with django_assert_num_queries(PARENT_PAGE_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    numbers = [world.term1.number] * 2 + [world.term2.number] * 2
    found = [int(n) for n in re.findall(r"<li>[^<]*?(\d+) – ", html)]
    assert found == numbers


def test_parent_page_queries_with_comparisons(world, sized, django_assert_num_queries):
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    client = world.client("own_parent")
    url = reverse("grades:student", args=[world.student.pk])
    client.get(url)
    with django_assert_num_queries(PARENT_PAGE_WITH_COMPARISONS_QUERIES):
        assert client.get(url).status_code == 200


def test_teacher_grid_queries(world, sized, django_assert_num_queries):
    client = world.client("teacher_in")
    url = reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk])
    with django_assert_num_queries(TEACHER_GRID_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    students, _subjects, columns = sized
    assert html.count('class="grade-input"') == students * columns


# The term and final grades sheet: the gradebook's queries, its saved rows, the school's
# settings and the year's grades for the suggestions. Saving a sheet costs a fixed number
# of queries whatever the size of the class (it used to cost a few per cell): the
# layout's, the gradebook's (or the behaviour sheet's) as the page reads it, then the
# assignment, the enrolments, the saved rows, one insert of the grades, one of their
# history, and the savepoint; the students' lock (concurrent saves) added one; telling
# the families of the new term grades (notifications.notify_families) adds eight; the
# closed-year guard (schools.services.ensure_year_open, L-12) one.
CLASSIFICATION_PAGE_QUERIES = 23  # a first request, as the grid's pin
CLASSIFICATION_SAVE_QUERIES = 34
BEHAVIOUR_SAVE_QUERIES = 19


@pytest.fixture
def history_types():
    """The history's content types, as a running server has them cached after its first
    write (Django keeps them for the life of the process)."""
    for model in (ClassificationGrade, BehaviourGrade):
        ContentType.objects.get_for_model(model)


def test_classification_sheet_queries(world, sized, history_types, django_assert_num_queries):
    client = world.client("teacher_in")
    url = reverse("grades:classification", args=[world.school_class.pk, world.subject.pk])
    with django_assert_num_queries(CLASSIFICATION_PAGE_QUERIES):
        html = client.get(url).content.decode()
    students = sized[0]
    assert html.count('name="term_proposal_') == students
    data = {
        f"{key}_{student.pk}": "4"
        for student in sm.Student.objects.filter(enrolments__school_class=world.school_class)
        for key in ("term_proposal", "term")
    }
    with django_assert_num_queries(CLASSIFICATION_SAVE_QUERIES):
        assert client.post(url, data).status_code == 302
    assert ClassificationGrade.objects.filter(grade=4).count() == 2 * students


def test_behaviour_sheet_save_queries(world, sized, history_types, django_assert_num_queries):
    client = world.client("class_teacher")
    url = reverse("grades:behaviour", args=[world.school_class.pk])
    client.get(url)
    data = {
        f"term_{student.pk}": "bdb"
        for student in sm.Student.objects.filter(enrolments__school_class=world.school_class)
    }
    with django_assert_num_queries(BEHAVIOUR_SAVE_QUERIES):
        assert client.post(url, data).status_code == 302
    assert BehaviourGrade.objects.filter(value="bdb").count() == sized[0]


def test_overview_queries(world, sized, django_assert_num_queries):
    """The compact overview costs what the full page costs, whatever the number of
    subjects and grades."""
    client = world.client("own_parent")
    url = reverse("grades:student_overview", args=[world.student.pk])
    client.get(url)
    with django_assert_num_queries(PARENT_PAGE_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('class="ov-row"') == sized[1] + 1  # + Historia
    assert html.count('<button type="button" class="chip') == sized[2] * sized[1]


# After a change of the child's own data (a new absence, a note: the page's cache version
# moves and the page is built afresh) the school's configuration is still cached: the
# session and the user, the grades, the term and final grades, the behaviour grades.
# What the page takes from the school's configuration (the child, class, terms, grading
# rules, subjects) and the class and year comparisons come from the cache, kept per
# version of what they are computed from. (The child came from the database before it
# was kept with the configuration: 6.) The overview's rows kept per subject cost no
# query of their own: one row rebuilt or all of them, the same queries, only fewer rows.
AFTER_A_CHANGE_QUERIES = 5


def add_schools(count: int) -> None:
    """``count`` more schools on the installation, each with a class of students."""
    for n in range(count):
        school = sf.SchoolFactory(name=f"Szkoła nr {100 + n}")
        school_class = sf.SchoolClassFactory(school=school, level=4)
        for _ in range(5):
            sf.EnrolmentFactory(school_class=school_class, student__school=school)


@pytest.mark.parametrize("schools", [0, 3], ids=["one-school", "four-schools"])
@pytest.mark.parametrize("name", ["grades:student_overview", "grades:student"])
def test_cold_page_after_a_change_of_the_childs_data(
    world, sized, schools, name, assert_warm_queries
):
    """The page parents open after a new grade or absence costs the same number of
    queries whatever the number of grades, students and schools, with the class
    comparison switched on."""
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    add_schools(schools)
    client = world.client("own_parent")
    url = reverse(name, args=[world.student.pk])
    client.get(url)
    before = client.get(url).content.decode()
    cache.bump(cache.student_scope(world.student.pk))
    with assert_warm_queries(AFTER_A_CHANGE_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    strip = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    assert strip.sub("", html) == strip.sub("", before)  # built afresh, the same page
    _students, subjects, columns = sized
    if name == "grades:student_overview":
        assert html.count('<button type="button" class="chip') == subjects * columns


# A new grade moves the child's and their class's versions (``core.audit``): the full page
# computes the class and year comparisons afresh (three aggregates), the overview, which
# shows none, does not compute them at all.
AFTER_A_NEW_GRADE_QUERIES = {
    "grades:student_overview": AFTER_A_CHANGE_QUERIES,
    "grades:student": AFTER_A_CHANGE_QUERIES + 3,
}


@pytest.mark.parametrize("subjects", ["one-subject", "every-subject"])
@pytest.mark.parametrize("name", ["grades:student_overview", "grades:student"])
def test_cold_page_after_a_new_grade_with_comparisons(
    world, sized, name, subjects, assert_warm_queries
):
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    client = world.client("own_parent")
    url = reverse(name, args=[world.student.pk])
    client.get(url)
    before = client.get(url).content.decode()
    # what recording a grade of the child moves, without a grade new to the parent: the
    # overview rebuilds that subject's row (or, as after a change of every subject, all)
    moved = sm.Subject.objects.filter(school=world.school).values_list("pk", flat=True)
    if subjects == "one-subject":
        moved = moved[:1]
    cache.bump(
        cache.student_scope(world.student.pk),
        cache.data_scope(world.school_class.pk),
        *(cache.subject_scope(world.student.pk, pk) for pk in moved),
    )
    with assert_warm_queries(AFTER_A_NEW_GRADE_QUERIES[name]):
        response = client.get(url)
    strip = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    assert strip.sub("", response.content.decode()) == strip.sub("", before)


def test_a_change_in_another_class_of_the_year_leaves_the_overview_cached(
    world, sized, assert_warm_queries
):
    """The overview depends on the child's own class only; the full page, which compares
    with the year, is built afresh."""
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    client = world.client("own_parent")
    overview = reverse("grades:student_overview", args=[world.student.pk])
    full = reverse("grades:student", args=[world.student.pk])
    for url in (overview, full, overview, full):
        client.get(url)
    assert world.other_class.level == world.school_class.level
    cache.bump(cache.data_scope(world.other_class.pk))  # a new grade in 4b
    with assert_warm_queries(PARENT_PAGE_WARM_QUERIES):
        assert client.get(overview).status_code == 200
    with assert_warm_queries(AFTER_A_NEW_GRADE_QUERIES["grades:student"]):
        assert client.get(full).status_code == 200
