"""The home page per role over HTTP: what each role sees, nothing of another family or
school, and a query count that does not grow with children, classes or assignments."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from dziennik.accounts.tests.factories import UserFactory
from dziennik.lucky.models import LuckyNumber, LuckySettings
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from testsupport.world import ROLES

OTHER_SCHOOL_SECRETS = ("Liceum Ogólnokształcące nr 2", "Jan Obcy")
OWN_SCHOOL_SECRETS = ("Szkoła Podstawowa nr 7", "Zofia", "Wiśniewska", "Kacper", "Halina")


def _html(world, role) -> str:
    response = world.client(role).get("/")
    assert response.status_code == 200
    return response.content.decode()


def _data_ids(html: str, attribute: str) -> list[int]:
    return [int(x) for x in re.findall(rf'{attribute}="(\d+)"', html)]


# --- who may open it, and what leaks ------------------------------------------------------


def test_home_authorization_matrix(matrix, world):
    expected = {role: 200 for role in ROLES} | {"anonymous": 302}
    matrix.check(
        "/",
        expected,
        secrets=OWN_SCHOOL_SECRETS,
        secrets_for={
            "other_parent": ("Zofia", "Wiśniewska", f"/szkola/uczniowie/{world.student.pk}/"),
            "student": ("Kacper", "Dąbrowski", f"/szkola/uczniowie/{world.classmate.pk}/"),
            "own_parent": ("Kacper", "Dąbrowski", f"/szkola/uczniowie/{world.classmate.pk}/"),
            "teacher_out": ("Zofia", "Kacper", f"/szkola/klasy/{world.school_class.pk}/"),
            "teacher_in": ("Zofia", "Kacper", f"/szkola/klasy/{world.other_class.pk}/"),
            "principal": OTHER_SCHOOL_SECRETS,
            "other_principal": (*OWN_SCHOOL_SECRETS, "Grażyna", "4a", "4b"),
        },
    )


# --- what each role sees ------------------------------------------------------------------


def test_parent_home_shows_the_chosen_child_and_an_empty_news_area(world):
    # Nothing new: not even the lucky number, drawn on every lesson day.
    LuckySettings.objects.create(school=world.school, enabled=False)
    html = _html(world, "own_parent")
    assert _data_ids(html, "data-student") == [world.student.pk]
    assert 'id="child-overview"' in html
    assert "Matematyka" in html and "Tomasz Lewandowski" in html  # 4a's subjects
    assert "Grażyna Wójcik" in html  # the class teacher
    assert f'href="/szkola/uczniowie/{world.student.pk}/"' in html
    assert 'id="home-panels"' in html and 'class="empty-state"' in html
    assert 'id="child-select"' in html
    assert "Kacper" not in html


def test_parent_home_lists_every_child_with_a_switch_button(world):
    jan = sf.StudentFactory(school=world.school, first_name="Jan", last_name="Wiśniewski")
    sf.EnrolmentFactory(student=jan, school_class=world.other_class, journal_number=1)
    sf.GuardianshipFactory(guardian=world.own_guardian, student=jan)
    client = world.client("own_parent")
    html = client.get("/").content.decode()
    cards = re.findall(r'<li class="card[^"]*" data-student="(\d+)"', html)
    assert sorted(int(x) for x in cards) == sorted([world.student.pk, jan.pk])
    assert re.search(rf'data-student="{world.student.pk}"\s+aria-current="true"', html)

    response = client.post("/konto/dziecko/", {"student": jan.pk, "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert re.search(rf'id="child-overview" data-student="{jan.pk}"', html)
    assert re.search(rf'data-student="{jan.pk}"\s+aria-current="true"', html)


def test_parent_without_children_gets_a_friendly_empty_state(world):
    user = UserFactory(username="rodzic-bez-dzieci", school=world.school)
    sf.GuardianFactory(school=world.school, user=user)
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'id="children"' in html and 'class="empty-state"' in html
    assert 'id="child-select"' not in html
    assert "data-student" not in html


def test_court_limited_child_is_not_on_the_parent_home(world):
    link = sm.Guardianship.objects.get(guardian=world.own_guardian, student=world.student)
    link.access = sm.Guardianship.Access.COURT_LIMITED
    link.court_order_reference = "III RC 123/25"
    link.save()
    html = _html(world, "own_parent")
    assert "Zofia" not in html and "data-student" not in html


def test_student_home_shows_their_own_class_and_subjects(world):
    group = sm.ClassGroup.objects.create(school_class=world.school_class, name="ang. gr. 1")
    other_group = sm.ClassGroup.objects.create(school_class=world.school_class, name="ang. gr. 2")
    group.students.add(world.student)
    english = sf.SubjectFactory(school=world.school, name="Język angielski")
    sf.TeachingAssignmentFactory(
        school_class=world.school_class, group=group, subject=english, teacher=UserFactory()
    )
    german = sf.SubjectFactory(school=world.school, name="Język niemiecki")
    sf.TeachingAssignmentFactory(
        school_class=world.school_class, group=other_group, subject=german, teacher=UserFactory()
    )
    html = _html(world, "student")
    assert _data_ids(html, "data-student") == [world.student.pk]
    assert 'id="my-overview"' in html
    for shown in ("Matematyka", "Historia", "Język angielski", "ang. gr. 1", "Grażyna Wójcik"):
        assert shown in html
    assert "Język niemiecki" not in html  # a group the student is not in
    assert "Kacper" not in html
    assert 'id="child-select"' not in html
    assert 'id="home-panels"' in html


def test_teacher_home_shows_their_classes_and_subjects_and_the_today_slot(world):
    html = _html(world, "teacher_in")
    assert 'id="home-panels"' in html  # today's lessons slot
    assert 'id="my-assignments"' in html
    assert f'href="/szkola/klasy/{world.school_class.pk}/"' in html
    assert "Matematyka" in html
    assert f'href="/szkola/klasy/{world.other_class.pk}/"' not in html
    assert 'id="led-classes"' not in html
    assert 'id="school-overview"' not in html


def test_class_teacher_home_shows_the_led_class(world):
    html = _html(world, "class_teacher")
    assert 'id="led-classes"' in html
    assert f'href="/szkola/klasy/{world.school_class.pk}/"' in html


def test_principal_home_shows_the_school_overview_of_their_school_only(world):
    html = _html(world, "principal")
    stats = dict(re.findall(r'id="stat-(\w+)">(\d+)<', html))
    assert stats == {"students": "2", "classes": "2", "teachers": "3", "guardians": "2"}
    assert sorted(_data_ids(html, "data-class")) == sorted(
        [world.school_class.pk, world.other_class.pk]
    )
    row_4a = re.search(rf'data-class="{world.school_class.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "Grażyna Wójcik" in row_4a and '<td class="num">2</td>' in row_4a
    row_4b = re.search(rf'data-class="{world.other_class.pk}">(.*?)</tr>', html, re.S).group(1)
    assert 'class="badge warn"' in row_4b and '<td class="num">0</td>' in row_4b
    for secret in OTHER_SCHOOL_SECRETS:
        assert secret not in html


def test_other_school_principal_sees_only_their_own_school(world):
    html = _html(world, "other_principal")
    stats = dict(re.findall(r'id="stat-(\w+)">(\d+)<', html))
    assert stats == {"students": "0", "classes": "1", "teachers": "0", "guardians": "0"}
    other_class = sm.SchoolClass.objects.get(school=world.other_school)
    assert _data_ids(html, "data-class") == [other_class.pk]
    assert "Liceum Ogólnokształcące nr 2" in html


def test_previous_year_classes_are_not_in_the_principal_overview(world):
    start = world.year.start_date
    last_year = sf.SchoolYearFactory(
        school=world.school, start_date=start.replace(year=start.year - 1)
    )
    old = sf.SchoolClassFactory(school=world.school, school_year=last_year, name="3a", level=3)
    html = _html(world, "principal")
    assert old.pk not in _data_ids(html, "data-class")


def test_anonymous_home_redirects_to_login(world):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logowanie/")


# --- the query count does not grow with data ----------------------------------------------


def _add_children(world, n):
    for i in range(n):
        child = sf.StudentFactory(school=world.school, first_name=f"Dziecko{i}")
        sf.EnrolmentFactory(student=child, school_class=world.other_class, journal_number=10 + i)
        sf.GuardianshipFactory(guardian=world.own_guardian, student=child)


def _add_subjects(world, n):
    for i in range(n):
        sf.TeachingAssignmentFactory(
            school_class=world.school_class,
            teacher=UserFactory(school=world.school),
            subject=sf.SubjectFactory(school=world.school, name=f"Przedmiot {i}"),
        )


def _add_assignments(world, n):
    for i in range(n):
        school_class = sf.SchoolClassFactory(
            school=world.school, school_year=world.year, name=f"7{i}", level=7
        )
        sf.TeachingAssignmentFactory(
            school_class=school_class, teacher=world.user("teacher_in"), subject=world.subject
        )


def _add_classes(world, n):
    for i in range(n):
        school_class = sf.SchoolClassFactory(
            school=world.school,
            school_year=world.year,
            name=f"8{i}",
            level=8,
            class_teacher=world.user("teacher_out"),
        )
        student = sf.StudentFactory(school=world.school)
        sf.EnrolmentFactory(student=student, school_class=school_class, journal_number=1)


# role → (how to add data, the pinned number of queries of one home page request).
# Every count includes the session read and write, the user and the viewer's queries.
# Attendance panels add: parent/student 2 (alerts, recent absences), teacher 3 (today's
# plan: entries, changes, days off), class teacher 2 more (class alerts, pending excuses).
# A teacher's day without lessons adds 2: the day off that day, if any, and whether the
# teacher has a timetable at all (asked only when no lesson is ahead in three weeks).
# The communication panels add: everyone 1 (unread announcements) and 2 (the lucky
# number's settings and the number of the day, drawn in the morning), parent/student 1
# more (the chosen child's new behaviour notes), everyone 1 more (unread messages), and
# parent/student 1 more (the chosen child's tests and homework coming up: the calendar).
# KeyStroke adds: everyone 1 (their unseen unusual logins), staff 1 more (whether their
# school asks them to turn KeyStroke on). The upcoming meetings add: a teacher 1 (their
# consultation hours), a class teacher 1 more (the class meetings they called), a parent 2
# (the children's bookings and their classes' meetings). The year-end archive adds the
# principal 1 (the year whose signed archive is due or overdue, L-10).
GROWTH = {
    # + the grades panel's recent grades: one query for parent and student, and one to
    # find the classes whose data the cached page depends on (family_cache_scopes); and
    # the access plans' rules of the school for the page's gate (plans.gating.home_vary:
    # one query on a cold cache, none warm, none more per child in the statutory model).
    "own_parent": (_add_children, 27),
    "student": (_add_subjects, 23),
    "teacher_in": (_add_assignments, 23),
    "class_teacher": (_add_assignments, 28),  # + the absences parents announced
    "principal": (_add_classes, 22),
}


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("role", list(GROWTH))
def test_home_query_count_does_not_grow(world, django_assert_num_queries, role, size):
    add, expected = GROWTH[role]
    add(world, size)
    # the morning's draw: the same count on a school day, a weekend or a holiday
    LuckyNumber.objects.create(school=world.school, date=timezone.localdate(), number=1)
    client = world.client(role)
    with django_assert_num_queries(expected):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["own_parent", "student"])
def test_family_home_is_served_from_the_cache_until_its_data_changes(
    world, role, assert_warm_queries
):
    from dziennik.attendance.tests.factories import build_register, save_lesson

    reg = build_register(world)
    client = world.client(role)
    client.get("/")  # the first page gives the browser its CSRF cookie
    first = client.get("/")
    with assert_warm_queries(2):  # session and user: the page comes from the cache
        again = client.get("/")
    assert again.content == first.content
    assert "data-alert-kind" not in first.content.decode()
    # the child is absent today: the warning and the absence show at once
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    after = client.get("/").content.decode()
    assert f'data-alert-kind="unexcused" data-student="{world.student.pk}"' in after
    with assert_warm_queries(2):  # and is kept again
        assert client.get("/").content.decode() == after
    # corrected (excused): the warning goes at once
    save_lesson(world, reg, reg.math2, {world.student: "u"})
    assert "data-alert-kind" not in client.get("/").content.decode()


def test_family_home_cache_is_per_user(world):
    own = world.client("own_parent").get("/").content.decode()
    other = world.client("other_parent").get("/").content.decode()
    assert world.student.first_name in own
    assert world.student.first_name not in other


# A family's home page built afresh after a change of the child's data (the school's
# configuration still cached): it costs the same whatever the number of children, their
# grades and the schools on the installation. The page's parts that do not show the
# child's data come from the cache (``portal/panels.py``: the announcements, messages,
# meetings, lucky number, KeyStroke's logins, the child's class and subjects); rebuilt:
# session and user 2, the attendance panel 2 (alerts, recent absences), the recent
# grades 1, the behaviour notes 1 and the coming tests and homework 1. (Was 14 while a
# change rebuilt every panel.)
FAMILY_HOME_AFTER_A_CHANGE = 7


@pytest.mark.parametrize("schools", [0, 3], ids=["one-school", "four-schools"])
@pytest.mark.parametrize("size", [2, 20])
def test_family_home_after_a_change_query_count_does_not_grow(
    world, size, schools, assert_warm_queries
):
    from dziennik.core import cache

    _add_children(world, size)
    for n in range(schools):
        school = sf.SchoolFactory(name=f"Szkoła nr {100 + n}")
        school_class = sf.SchoolClassFactory(school=school, level=4)
        for _ in range(5):
            sf.EnrolmentFactory(school_class=school_class, student__school=school)
    LuckyNumber.objects.create(school=world.school, date=timezone.localdate(), number=1)
    client = world.client("own_parent")
    client.get("/")
    before = client.get("/").content
    cache.bump(cache.student_scope(world.student.pk))
    with assert_warm_queries(FAMILY_HOME_AFTER_A_CHANGE):
        response = client.get("/")
    assert response.status_code == 200
    strip = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    assert strip.sub(b"", response.content) == strip.sub(b"", before)
