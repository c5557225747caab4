"""The authorization matrix for every grades URL: who gets what, nothing leaks, refused
writes change nothing."""

import pytest
from django.urls import reverse

from dziennik.grades.models import (
    Assessment,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    GradingSettings,
)
from testsupport.world import STUDENT_PAGE

ANON_LOGIN = 302
GRADEBOOK_PAGE = {
    "anonymous": 302,
    "student": 404,
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 200,
    "teacher_out": 404,
    "class_teacher": 200,  # reads every subject of the class they lead
    "principal": 200,
    "other_principal": 404,
}
GRADEBOOK_WRITE = dict(GRADEBOOK_PAGE, class_teacher=404)
CLASSMATE_SECRETS = ["Dąbrowski", "Kacper"]


def check_write(matrix, url, expected, *, data, state, allowed):
    """Refused roles must leave ``state`` unchanged; then the allowed roles succeed (a
    redirect after a successful POST is not a refusal)."""
    refused = [role for role in expected if role not in allowed]
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=allowed)


def test_index_redirects_everyone_to_their_page(world, matrix):
    expected = {role: 302 for role in STUDENT_PAGE}
    results = matrix.check(reverse("grades:index"), expected)
    for role in ("student", "own_parent"):
        assert results[role].status == 302
    client = world.client("own_parent")
    assert client.get(reverse("grades:index"))["Location"] == reverse(
        "grades:student_overview", args=[world.student.pk]
    )
    assert world.client("teacher_in").get(reverse("grades:index"))["Location"] == reverse(
        "grades:gradebook_list"
    )


def test_student_grades_matrix(world, matrix, column):
    url = reverse("grades:student", args=[world.student.pk])
    results = matrix.check(
        url,
        STUDENT_PAGE,
        secrets=["Wiśniewska", "Sprawdzian – ułamki"],
        secrets_for={role: CLASSMATE_SECRETS for role in ("student", "own_parent")},
    )
    assert "4+" in results["own_parent"].content.decode()
    # The classmate's page: the own parent never sees it.
    other = reverse("grades:student", args=[world.classmate.pk])
    expected = dict(STUDENT_PAGE, student=404, own_parent=404, other_parent=200)
    matrix.check(other, expected, secrets=["Dąbrowski"])


def test_missing_student_is_the_same_404(world, matrix, grading):
    url = reverse("grades:student", args=[999999])
    matrix.check(url, {r: (302 if r == "anonymous" else 404) for r in STUDENT_PAGE})


def test_what_do_i_need_matrix(world, matrix, column):
    url = reverse("grades:student_need", args=[world.student.pk])
    data = {"subject": world.subject.pk, "weight": "3", "target": "4"}
    results = matrix.check(url, STUDENT_PAGE, data=data, secrets=["need-answer"])
    assert 'data-grade="' in results["own_parent"].content.decode()
    matrix.check(
        reverse("grades:student_need", args=[world.classmate.pk]),
        dict(STUDENT_PAGE, student=404, own_parent=404, other_parent=200),
        data=data,
        secrets=["need-answer"],
    )


def test_pdf_matrix(world, matrix, column):
    results = matrix.check(reverse("grades:student_pdf", args=[world.student.pk]), STUDENT_PAGE)
    assert results["own_parent"].content.startswith(b"%PDF")
    assert not results["other_parent"].content.startswith(b"%PDF")


def test_gradebook_list_matrix(world, matrix, grading):
    expected = dict(GRADEBOOK_PAGE, teacher_out=200, other_principal=200)
    results = matrix.check(
        reverse("grades:gradebook_list"),
        expected,
        secrets_for={"teacher_out": ["Matematyka"], "other_principal": ["Matematyka", "4a"]},
    )
    assert "Matematyka" in results["teacher_in"].content.decode()


def test_gradebook_matrix(world, matrix, column):
    url = reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk])
    results = matrix.check(url, GRADEBOOK_PAGE, secrets=[*CLASSMATE_SECRETS, "ułamki"])
    assert "grade-input" in results["teacher_in"].content.decode()
    assert "grade-input" not in results["class_teacher"].content.decode()  # read only


@pytest.mark.parametrize("name", ["analytics", "classification"])
def test_class_pages_matrix(world, matrix, column, name):
    url = reverse(f"grades:{name}", args=[world.school_class.pk, world.subject.pk])
    matrix.check(url, GRADEBOOK_PAGE, secrets=CLASSMATE_SECRETS)


def test_new_column_matrix(world, matrix, grading):
    url = reverse("grades:assessment_new", args=[world.school_class.pk, world.subject.pk])
    from .conftest import category

    data = {
        "name": "Kartkówka – potęgi",
        "date": (world.term1.start_date).isoformat(),
        "category": category(world.school, "Kartkówka").pk,
        "kind": "standard",
    }
    expected = dict(GRADEBOOK_WRITE, teacher_in=302, principal=302)
    check_write(
        matrix,
        url,
        expected,
        data=data,
        state=lambda: Assessment.objects.count(),
        allowed=["teacher_in", "principal"],
    )
    assert Assessment.objects.filter(name="Kartkówka – potęgi").count() == 2


def column_state():
    return list(
        Assessment.objects.order_by("pk").values_list(
            "pk", "name", "date", "category_id", "weight", "max_points"
        )
    ) + list(Grade.objects.order_by("pk").values_list("pk", "assessment_id", "value"))


@pytest.mark.parametrize("name", ["assessment_edit", "assessment_delete"])
def test_column_pages_matrix(world, matrix, column, name):
    url = reverse(f"grades:{name}", args=[column.pk])
    expected = dict(GRADEBOOK_WRITE, teacher_in=200, principal=200)
    results = matrix.check(url, expected, secrets=["ułamki"], state=column_state)
    assert "Sprawdzian – ułamki" in results["teacher_in"].content.decode()
    assert Grade.objects.filter(assessment=column).count() == 2
    missing = reverse(f"grades:{name}", args=[999999])
    matrix.check(missing, {role: 302 if role == "anonymous" else 404 for role in expected})


def test_edit_column_matrix(world, matrix, column):
    url = reverse("grades:assessment_edit", args=[column.pk])
    data = {
        "name": "Sprawdzian – poprawiony",
        "date": column.date.isoformat(),
        "category": column.category_id,
        "weight": "1",
    }
    expected = dict(GRADEBOOK_WRITE, teacher_in=302, principal=302)
    check_write(
        matrix, url, expected, data=data, state=column_state, allowed=["teacher_in", "principal"]
    )
    column.refresh_from_db()
    assert (column.name, column.weight) == ("Sprawdzian – poprawiony", 1)


def test_delete_column_matrix(world, matrix, column):
    from .conftest import add_column

    expected = dict(GRADEBOOK_WRITE, teacher_in=302, principal=302)
    url = reverse("grades:assessment_delete", args=[column.pk])
    refused = [role for role in expected if role not in ("teacher_in", "principal")]
    matrix.check(
        url, expected, method="post", data={"grades": "2"}, state=column_state, roles=refused
    )
    assert Grade.objects.filter(assessment=column).count() == 2
    matrix.check(url, expected, method="post", data={"grades": "2"}, roles=["teacher_in"])
    assert not Assessment.objects.filter(pk=column.pk).exists()
    other = add_column(world)
    url = reverse("grades:assessment_delete", args=[other.pk])
    matrix.check(url, expected, method="post", data={"grades": "0"}, roles=["principal"])
    assert not Assessment.objects.exists()


def test_grade_cell_matrix(world, matrix, column):
    url = reverse("grades:grade_cell", args=[column.pk])

    def state():
        return list(Grade.objects.order_by("pk").values_list("student_id", "symbol", "comment"))

    expected = dict(GRADEBOOK_WRITE, teacher_in=200, principal=200)
    results = matrix.check(
        url,
        expected,
        method="post",
        data={"student": world.classmate.pk, "value": "5"},
        state=state,
        secrets=["average"],
    )
    assert results["teacher_in"].content.startswith(b"{")


def test_classification_post_matrix(world, matrix, column):
    url = reverse("grades:classification", args=[world.school_class.pk, world.subject.pk])
    data = {f"term_proposal_{world.student.pk}": "4"}
    expected = dict(GRADEBOOK_WRITE, teacher_in=302, principal=302)
    check_write(
        matrix,
        url,
        expected,
        data=data,
        state=lambda: list(ClassificationGrade.objects.values_list("grade", "published_at")),
        allowed=["teacher_in", "principal"],
    )
    assert ClassificationGrade.objects.get().grade == 4


BEHAVIOUR_PAGE = {
    "anonymous": 302,
    "student": 404,
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 404,
    "teacher_out": 404,
    "class_teacher": 200,
    "principal": 200,  # reads; only the class teacher sets (L-19)
    "other_principal": 404,
}


def test_behaviour_matrix(world, matrix, grading):
    url = reverse("grades:behaviour", args=[world.school_class.pk])
    results = matrix.check(url, BEHAVIOUR_PAGE, secrets=CLASSMATE_SECRETS)
    assert "<select" not in results["principal"].content.decode()
    expected = dict(BEHAVIOUR_PAGE, class_teacher=302, principal=403)
    check_write(
        matrix,
        url,
        expected,
        data={f"term_{world.student.pk}": "wz"},
        state=lambda: list(BehaviourGrade.objects.values_list("student_id", "value")),
        allowed=["class_teacher"],
    )
    assert BehaviourGrade.objects.get().value == "wz"


def test_settings_matrix(world, matrix, grading):
    url = reverse("grades:settings")
    # Each principal gets the settings of their own school.
    only_principal = {r: 404 for r in STUDENT_PAGE} | {
        "anonymous": 302,
        "principal": 200,
        "other_principal": 200,
    }
    matrix.check(url, only_principal)
    data = {
        "comparisons_enabled": "on",
        "plus_value": "0.5",
        "minus_value": "0.25",
        "pass_threshold": "1.75",
        "proposal_notice_days": "14",
        "correction_policy": "both",
    }
    check_write(
        matrix,
        url,
        dict(only_principal, principal=302, other_principal=302),
        data=data,
        state=lambda: list(GradingSettings.objects.values_list("school_id", "comparisons_enabled")),
        allowed=["principal", "other_principal"],
    )
    assert GradingSettings.objects.get(school=world.school).comparisons_enabled is True
    # The other principal switched their own school only.
    assert GradingSettings.objects.get(school=world.other_school).comparisons_enabled is True
