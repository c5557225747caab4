"""The authorization matrix for every accounts URL, and the pinned query counts."""

import pytest
from django.urls import reverse

from dziennik.accounts.models import LetterJob, User
from dziennik.accounts.tests.factories import UserFactory
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from testsupport.world import CLASS_STAFF_PAGE, ROLES

pytestmark = pytest.mark.django_db

# Only the class teacher and the school office manage a class's accounts; a teacher who
# merely teaches the class does not.
CLASS_ACCOUNTS_PAGE = dict(CLASS_STAFF_PAGE, teacher_in=404)
# Resetting the world's student's password.
STUDENT_RESET = {
    "anonymous": 302,
    "student": 404,  # one's own password is changed, not reset
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 404,
    "teacher_out": 404,
    "class_teacher": 200,
    "principal": 200,
    "other_principal": 404,
}


def accounts_state():
    return (
        sorted(User.objects.values_list("username", "password", "must_change_password")),
        sorted(sm.Student.objects.values_list("pk", "user_id")),
        sorted(sm.Guardian.objects.values_list("pk", "user_id")),
    )


def test_class_credentials_page_matrix(world, letter_class):
    url = reverse("accounts:class_credentials", args=[world.school_class.pk])
    results = matrix_check(world, url, CLASS_ACCOUNTS_PAGE)
    page = results["class_teacher"].content.decode()
    assert "Łucja Żółkiewska" in page
    assert "Ewa Żółkiewska" in page
    assert 'data-username="rodzic-test"' in page
    # The court-limited father is not listed at all.
    assert "Jerzy" not in page
    assert reverse("accounts:password_reset", args=[world.user("own_parent").pk]) in page


def matrix_check(world, url, expected, **kwargs):
    from testsupport.world import AuthzMatrix

    return AuthzMatrix(world).check(
        url,
        expected,
        secrets=["Dąbrowski", "Żółkiewska", "uczen-test", "rodzic-test"],
        **kwargs,
    )


def test_class_credentials_post_matrix(world, letter_class):
    """Who may ask for a class's letters (prepared in the background, see
    test_letter_jobs.py): the allowed are sent on, the refused change nothing."""
    url = reverse("accounts:class_credentials", args=[world.school_class.pk])
    allowed = {
        role: 302 if status == 200 else status for role, status in CLASS_ACCOUNTS_PAGE.items()
    }
    matrix_check(
        world,
        url,
        allowed,
        method="post",
        data={"regenerate": "1"},
        state=accounts_state,
    )
    # The class teacher's job (still queued: the test's transaction never commits); the
    # principal's click after it found it and started none, the refused started none.
    job = LetterJob.objects.get()
    assert job.requested_by == world.user("class_teacher")


def test_class_credentials_of_another_class_or_missing_class(world, matrix):
    for class_id in (world.other_class.pk, 999999):
        url = reverse("accounts:class_credentials", args=[class_id])
        expected = {role: 404 for role in ROLES} | {"anonymous": 302}
        if class_id == world.other_class.pk:
            expected["principal"] = 200
        matrix.check(url, expected)
        matrix.check(
            url,
            {role: (200 if code == 200 else code) for role, code in expected.items()},
            method="post",
            state=accounts_state,
            roles=[role for role, code in expected.items() if code != 200],
        )


def test_secretary_opens_class_credentials(world):
    url = reverse("accounts:class_credentials", args=[world.school_class.pk])
    assert world.client("secretary").get(url).status_code == 200


def test_password_reset_matrix(world, matrix):
    url = reverse("accounts:password_reset", args=[world.user("student").pk])
    matrix.check(url, STUDENT_RESET, secrets=["uczen-test", "Wiśniewska"])
    results = matrix.check(
        url,
        STUDENT_RESET,
        method="post",
        secrets=["uczen-test", "Wiśniewska"],
        state=accounts_state,
    )
    assert results["class_teacher"].content.startswith(b"%PDF")


def test_password_reset_of_a_teacher_matrix(world, matrix):
    url = reverse("accounts:password_reset", args=[world.user("teacher_in").pk])
    expected = {role: 404 for role in ROLES} | {"anonymous": 302, "principal": 200}
    matrix.check(url, expected, secrets=["n-in", "Lewandowski"])
    matrix.check(url, expected, method="post", state=accounts_state)


def add_students(world, count: int) -> None:
    """``count`` more students in 4a, each with two guardians, half with accounts."""
    for number in range(count):
        user = UserFactory(school=world.school) if number % 2 else None
        student = sf.StudentFactory(school=world.school, user=user)
        sf.EnrolmentFactory(
            student=student, school_class=world.school_class, journal_number=100 + number
        )
        for relation in (sm.Guardianship.Relation.MOTHER, sm.Guardianship.Relation.FATHER):
            guardian_user = UserFactory(school=world.school) if number % 2 else None
            guardian = sf.GuardianFactory(school=world.school, user=guardian_user)
            sf.GuardianshipFactory(guardian=guardian, student=student, relation=relation)


# Session and user (2), the viewer (5), the class, its enrolments with students and
# accounts, the guardianships with guardians and accounts, which of the accounts the
# viewer may reset (4), the session save (3).
CLASS_CREDENTIALS_QUERIES = 11


@pytest.mark.parametrize("students", [3, 30])
def test_class_credentials_query_count_does_not_grow(world, students, django_assert_num_queries):
    add_students(world, students)
    client = world.client("class_teacher")
    url = reverse("accounts:class_credentials", args=[world.school_class.pk])
    client.get(url)  # warm the session
    with django_assert_num_queries(CLASS_CREDENTIALS_QUERIES):
        response = client.get(url)
    assert len(response.context["students"]) == students + 2
    assert len(response.context["guardians"]) == 2 * students + 2
    # Zofia, Anna and Marek, and every other added family (a student and two guardians).
    resettable = 3 + (students // 2) * 3
    assert response.content.decode().count("/nowe-haslo/") == resettable


@pytest.mark.parametrize(
    "target", ["abc", "1657", "//evil.example.com/", "https://evil.example.com/", "/a\r\nb"]
)
def test_switching_the_child_never_goes_off_the_site(world, target):
    """A ``next`` that is no path of this site goes home (no error, no open redirect)."""
    client = world.client("own_parent")
    response = client.post("/konto/dziecko/", {"student": world.student.pk, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
