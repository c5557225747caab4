"""The school's staff accounts page: who is listed, who may open it, the reset links."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts import selectors
from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import UserFactory
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from dziennik.schools.viewer import get_viewer
from testsupport.world import ROLES

pytestmark = pytest.mark.django_db

URL = "/konto/pracownicy/"
# Only the school office opens it; the other school's principal opens their own school's.
STAFF_PAGE = {role: 404 for role in ROLES} | {
    "anonymous": 302,
    "principal": 200,
    "other_principal": 200,
}
# What the other school's principal (and everyone refused) must never see.
OUR_STAFF = ["Lewandowski", "Kamińska", "Wójcik", "Nowicka", "n-in", "n-out", "wych", "sekr"]


@pytest.fixture
def staff(world):
    """More people around the world's school, each an edge of who counts as staff."""
    school, other = world.school, world.other_school
    now = timezone.now()
    people = {
        "deputy": UserFactory(
            username="wicedyr",
            school=school,
            first_name="Piotr",
            last_name="Łukasiewicz",
            activated_at=now,
            last_login=datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC),
        ),
        # Leads 4b and teaches there without holding the teacher role.
        "class_teacher_only": UserFactory(
            username="wych-4b",
            school=school,
            first_name="Alicja",
            last_name="Adamska",
            activated_at=now,
            must_change_password=True,
        ),
        # Teaches without any role.
        "assigned_only": UserFactory(
            username="n-bez-roli", school=school, first_name="Olga", last_name="Bąk"
        ),
        "inactive": UserFactory(
            username="n-byly",
            school=school,
            first_name="Robert",
            last_name="Zieliński",
            is_active=False,
            activated_at=now,
        ),
        # A parents' council seat alone does not make a parent staff.
        "council": UserFactory(
            username="rada-rodzicow", school=school, first_name="Irena", last_name="Radna"
        ),
        # Another school's teacher with a role at ours by mistake: still not ours.
        "foreign": UserFactory(
            username="obcy-n", school=other, first_name="Feliks", last_name="Obcyński"
        ),
        "other_teacher": UserFactory(
            username="inny-n", school=other, first_name="Gustaw", last_name="Innyszkolny"
        ),
    }
    sm.SchoolRole.objects.create(school=school, user=people["deputy"], role="deputy_principal")
    sm.SchoolRole.objects.create(school=school, user=people["deputy"], role="teacher")
    sm.SchoolRole.objects.create(school=school, user=people["inactive"], role="teacher")
    sm.SchoolRole.objects.create(school=school, user=people["council"], role="council_member")
    sm.SchoolRole.objects.create(school=school, user=people["foreign"], role="teacher")
    sm.SchoolRole.objects.create(school=other, user=people["other_teacher"], role="teacher")
    world.other_class.class_teacher = people["class_teacher_only"]
    world.other_class.save()
    sm.TeachingAssignment.objects.create(
        school=school,
        teacher=people["class_teacher_only"],
        subject=world.subject,
        school_class=world.other_class,
    )
    for school_class in (world.school_class, world.other_class):
        for subject in (world.subject, world.other_subject):
            sm.TeachingAssignment.objects.create(
                school=school,
                teacher=people["assigned_only"],
                subject=subject,
                school_class=school_class,
            )
    # A class of a past school year: its teacher still counts as staff, the class and
    # what was taught in it are not shown.
    past_year = sf.SchoolYearFactory(
        school=school, start_date=sf.school_year_start() - datetime.timedelta(days=365)
    )
    past_class = sf.SchoolClassFactory(
        school=school, school_year=past_year, name="3a", level=3, class_teacher=people["deputy"]
    )
    sm.TeachingAssignment.objects.create(
        school=school, teacher=people["deputy"], subject=world.subject, school_class=past_class
    )
    world.user("teacher_in").activated_at = now
    world.user("teacher_in").save()
    return people


def by_login(rows):
    return {row.user.username: row for row in rows}


def test_lists_the_schools_staff_with_roles_classes_and_statuses(world, staff):
    rows = selectors.staff_accounts(get_viewer(world.user("principal")))
    # Sorted by last name in the Polish alphabet (Ł after L, Z and Ż last).
    assert [row.user.username for row in rows] == [
        "wych-4b",  # Adamska
        "n-bez-roli",  # Bąk
        "n-out",  # Kamińska
        "n-in",  # Lewandowski
        "wicedyr",  # Łukasiewicz
        "sekr",  # Nowicka
        "wych",  # Wójcik
        "dyrektor-test",  # Zawadzka
        "n-byly",  # Zieliński
    ]
    rows = by_login(rows)
    assert [str(role) for role in rows["wicedyr"].roles] == ["wicedyrektor", "nauczyciel"]
    assert [str(role) for role in rows["sekr"].roles] == ["sekretariat / administrator"]
    assert rows["wych-4b"].roles == []
    assert rows["wych"].led_classes == ["4a"]
    assert rows["wych-4b"].led_classes == ["4b"]
    assert rows["wicedyr"].led_classes == []  # 3a is last year's class
    assert (rows["n-bez-roli"].subject_count, rows["n-bez-roli"].class_count) == (2, 2)
    assert (rows["n-in"].subject_count, rows["n-in"].class_count) == (1, 1)
    assert (rows["wicedyr"].subject_count, rows["wicedyr"].class_count) == (0, 0)
    assert {login: row.status for login, row in rows.items()} == {
        "wych-4b": "reset",
        "n-bez-roli": "issued",
        "n-out": "issued",
        "n-in": "active",
        "wicedyr": "active",
        "sekr": "issued",
        "wych": "issued",
        "dyrektor-test": "issued",
        "n-byly": "inactive",
    }


def test_page_shows_the_table_in_polish(world, staff):
    response = world.client("principal").get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<caption>" in page
    assert '<th scope="col">Login</th>' in page
    assert '<th scope="row">Piotr Łukasiewicz</th>' in page
    assert "wicedyrektor, nauczyciel" in page
    assert "nieaktywne" in page
    assert '<time datetime="2026-03-02T09:00:00+01:00">02.03.2026</time>' in page
    for secret in ("Radna", "rada-rodzicow", "Obcyński", "Innyszkolny", "Obcy", "Wiśniewska"):
        assert secret not in page


def test_other_school_sees_only_its_own_staff(world, staff):
    rows = selectors.staff_accounts(get_viewer(world.user("other_principal")))
    assert [row.user.username for row in rows] == ["inny-n", "dyrektor-inny"]


def test_staff_page_matrix(world, staff, matrix):
    results = matrix.check(
        URL,
        STAFF_PAGE,
        secrets=OUR_STAFF,
        secrets_for={"other_principal": OUR_STAFF},
    )
    assert 'data-username="n-in"' in results["principal"].text
    assert 'data-username="inny-n"' in results["other_principal"].text


def test_deputy_and_secretary_open_it_a_council_member_does_not(world, staff):
    for user in (staff["deputy"], world.user("secretary")):
        client = world.client("principal")
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert 'data-username="n-in"' in response.content.decode()
    client = world.client("anonymous")
    client.force_login(staff["council"])
    assert client.get(URL).status_code == 404


def test_nav_links_the_page_for_the_school_office_only(world):
    assert URL in world.client("principal").get("/").content.decode()
    for role in ("teacher_in", "class_teacher", "own_parent", "student"):
        assert URL not in world.client(role).get("/").content.decode()


def reset_links(client) -> set[str]:
    page = client.get(URL).content.decode()
    return {
        user.username
        for user in User.objects.all()
        if reverse("accounts:password_reset", args=[user.pk]) in page
    }


def test_reset_links_only_where_the_viewer_may_reset(world, staff):
    teachers = {"n-in", "n-out", "wych", "wych-4b", "n-bez-roli", "n-byly"}
    # The principal resets every staff account ranked below hers, never her own; the
    # secretary resets families only (the principal's rule decides on staff accounts).
    assert reset_links(world.client("principal")) == teachers | {"wicedyr", "sekr"}
    assert reset_links(world.client("secretary")) == set()
    # Each link opens, each missing one is refused.
    client = world.client("principal")
    for user in (world.user("teacher_in"), staff["class_teacher_only"], staff["deputy"]):
        assert client.get(reverse("accounts:password_reset", args=[user.pk])).status_code == 200
    assert (
        client.get(
            reverse("accounts:password_reset", args=[world.user("principal").pk])
        ).status_code
        == 404
    )
    client = world.client("secretary")
    for user in (world.user("teacher_in"), world.user("principal"), staff["deputy"]):
        assert client.get(reverse("accounts:password_reset", args=[user.pk])).status_code == 404
    rows = by_login(selectors.staff_accounts(get_viewer(world.user("principal"))))
    assert {login for login, row in rows.items() if row.can_reset} == teachers | {
        "wicedyr",
        "sekr",
    }


def test_the_admin_flag_does_not_lift_a_teacher_above_the_principal(world):
    teacher = world.user("teacher_in")
    teacher.is_staff = True
    teacher.save()
    rows = by_login(selectors.staff_accounts(get_viewer(world.user("principal"))))
    assert rows["n-in"].can_reset is True
    rows = by_login(selectors.staff_accounts(get_viewer(world.user("secretary"))))
    assert rows["n-in"].can_reset is False


def test_nobody_else_gets_rows_from_the_selector(world, staff):
    for role in ("teacher_in", "class_teacher", "own_parent", "student", "anonymous"):
        assert selectors.staff_accounts(get_viewer(world.user(role))) == []


def add_teachers(world, count: int) -> None:
    """``count`` more teachers: each with a role, half leading a class, all teaching."""
    for number in range(count):
        user = UserFactory(school=world.school)
        sm.SchoolRole.objects.create(school=world.school, user=user, role="teacher")
        school_class = sf.SchoolClassFactory(
            school=world.school,
            school_year=world.year,
            name=f"x{number}",
            level=5,
            class_teacher=user if number % 2 else None,
        )
        for subject in (world.subject, world.other_subject):
            sm.TeachingAssignment.objects.create(
                school=world.school, teacher=user, subject=subject, school_class=school_class
            )


# Session and user (2), the viewer (5), the staff, their roles, the classes they lead,
# what they teach, which of them the viewer may reset, which have a second factor (6).
STAFF_ACCOUNTS_QUERIES = 13


@pytest.mark.parametrize("teachers", [3, 30])
def test_staff_accounts_query_count_does_not_grow(world, teachers, django_assert_num_queries):
    add_teachers(world, teachers)
    client = world.client("principal")
    client.get(URL)  # warm the session
    with django_assert_num_queries(STAFF_ACCOUNTS_QUERIES):
        response = client.get(URL)
    assert len(response.context["rows"]) == teachers + 5
    # The world's three teachers, the secretary and every added teacher; not the principal.
    assert response.content.decode().count("/nowe-haslo/") == teachers + 4
