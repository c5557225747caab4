"""Stale and concurrent edits of gradebook cells and of the classification sheet
(docs/rules.md, "Concurrent edits"): a cell changed since it was shown answers 409 with
the saved grade, a repeated submit is a no-op, parallel submits never collide on a
unique key, and a stale sheet is merged cell by cell or refused with the cells named."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dziennik.core.concurrency import StaleEdit
from dziennik.grades import services
from dziennik.grades.models import BehaviourGrade, ClassificationGrade, Grade
from testsupport.race import race

from .conftest import add_column


def _cell(client, column, student, **data):
    response = client.post(
        reverse("grades:grade_cell", args=[column.pk]), {"student": student.pk, **data}
    )
    return response.status_code, json.loads(response.content)


def test_a_stale_cell_edit_answers_409_with_the_saved_grade(world, column):
    teacher = world.user("teacher_in")
    shown = Grade.objects.get(assessment=column, student=world.student).version
    services.grade_set(actor=teacher, assessment=column, student=world.student, raw="5")
    status, data = _cell(
        world.client("teacher_in"), column, world.student, value="3", version=shown
    )
    assert status == 409
    assert (data["ok"], data["stale"], data["value"]) == (False, True, "5")
    assert "Ktoś inny zmienił tę ocenę" in data["error"]
    grade = Grade.objects.get(assessment=column, student=world.student)
    assert grade.symbol == "5" and data["version"] == grade.version
    # based on the saved grade now, the edit goes through
    status, data = _cell(
        world.client("teacher_in"), column, world.student, value="3", version=data["version"]
    )
    assert status == 200 and data["display"] == "3"


def test_a_stale_correction_and_comment_are_refused_too(world, column):
    client = world.client("teacher_in")
    status, first = _cell(client, column, world.student, field="correction", value="5", version="")
    assert status == 200
    status, _ = _cell(
        client,
        column,
        world.student,
        field="correction",
        value="6",
        version=first["correction_version"],
    )
    assert status == 200  # a correction's version is its own, not the grade's
    status, data = _cell(client, column, world.student, field="correction", value="3", version="")
    assert (status, data["correction"]) == (409, "6")
    status, data = _cell(
        client, column, world.student, field="comment", comment="Brawo", version="1:x"
    )
    assert status == 409
    assert Grade.objects.get(assessment=column, student=world.student, corrects=None).comment == ""


def test_the_same_new_grade_submitted_twice_is_saved_once(world, grading):
    column = add_column(world)
    client = world.client("teacher_in")
    for _ in range(2):
        status, data = _cell(client, column, world.student, value="4", version="")
        assert (status, data["display"]) == (200, "4")
    assert Grade.objects.filter(assessment=column).count() == 1
    # a stale clear of a cell that is empty already is a no-op as well
    Grade.objects.filter(assessment=column).delete()
    status, _ = _cell(client, column, world.student, value="", version="1:x")
    assert status == 200


def test_the_gradebook_carries_each_cells_version(world, column):
    page = world.client("teacher_in").get(
        reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk])
    )
    grade = Grade.objects.get(assessment=column, student=world.student)
    assert f'data-version="{grade.version}"' in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_parallel_submits_of_a_new_grade_make_one_grade(world, grading):
    """Two connections post the same new grade (a double click): one grade, two 200s,
    no IntegrityError; then two parallel corrections of it: one correction."""
    column = add_column(world)

    def post(field):
        def run(i):
            return _cell(world.client("teacher_in"), column, world.student, version="", **field)

        return run

    outcome = race(post({"value": "4"}), 2)
    assert outcome.failures == []
    assert [status for status, _ in outcome.results] == [200, 200]
    assert Grade.objects.filter(assessment=column, corrects__isnull=True).count() == 1
    outcome = race(post({"field": "correction", "value": "5"}), 2)
    assert outcome.failures == []
    assert [status for status, _ in outcome.results] == [200, 200]
    assert Grade.objects.filter(assessment=column, corrects__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_set_and_clear_of_a_term_grade_never_collide(world, grading):
    """Two connections set the same missing term grade while a third clears it: no
    IntegrityError, and at most one grade."""
    target = {
        "school_class": world.school_class,
        "subject": world.subject,
        "term": world.term1,
        "student": world.student,
        "kind": "term",
        "is_proposal": False,
    }
    grades = [5, 4, None]

    def set_grade(i):
        return services.classification_grade_set(
            actor=world.user("teacher_in"), grade=grades[i], **target
        )

    outcome = race(set_grade, 3)
    assert outcome.failures == []
    assert ClassificationGrade.objects.filter(student=world.student).count() <= 1
    outcome = race(lambda i: set_grade(i % 2), 2)
    assert outcome.failures == []
    assert ClassificationGrade.objects.filter(student=world.student).count() == 1


def _sheet_url(world):
    return reverse("grades:classification", args=[world.school_class.pk, world.subject.pk])


def test_a_stale_sheet_is_merged_cell_by_cell(world, grading):
    """Someone sets Kacper's proposal after the form was opened; saving the form with
    only Zofia's proposal typed keeps Kacper's."""
    client = world.client("teacher_in")
    client.get(_sheet_url(world))
    services.classification_grade_set(
        actor=world.user("teacher_in"),
        student=world.classmate,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=True,
        grade=3,
    )
    data = {
        f"term_proposal_{world.student.pk}": "4",
        f"initial-term_proposal_{world.student.pk}": "",
        f"term_proposal_{world.classmate.pk}": "",
        f"initial-term_proposal_{world.classmate.pk}": "",
    }
    response = client.post(_sheet_url(world), data)
    assert response.status_code == 302
    saved = dict(ClassificationGrade.objects.values_list("student_id", "grade"))
    assert saved == {world.student.pk: 4, world.classmate.pk: 3}


def test_a_cell_changed_by_both_refuses_the_sheet_and_names_the_cell(world, grading):
    services.classification_grade_set(
        actor=world.user("teacher_in"),
        student=world.classmate,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=True,
        grade=3,
    )
    data = {
        f"term_proposal_{world.student.pk}": "4",
        f"initial-term_proposal_{world.student.pk}": "",
        f"term_proposal_{world.classmate.pk}": "5",
        f"initial-term_proposal_{world.classmate.pk}": "",
    }
    response = world.client("teacher_in").post(_sheet_url(world), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert f"{world.classmate.full_name}, Przewidywana ocena śródroczna" in html
    assert world.student.full_name + ", " not in html.split("</ul>")[0].split("role=")[-1]
    assert dict(ClassificationGrade.objects.values_list("student_id", "grade")) == {
        world.classmate.pk: 3
    }
    # the cell in conflict shows the saved grade, the other keeps what was typed
    assert f'name="term_proposal_{world.classmate.pk}" aria-label' in html
    assert f'name="initial-term_proposal_{world.classmate.pk}" value="3"' in html


def test_a_stale_column_edit_is_refused(world, column):
    """Two tabs on one column's edit form: the second save, based on the column before
    the first, is refused (409) instead of silently undoing the first."""
    client = world.client("teacher_in")
    url = reverse("grades:assessment_edit", args=[column.pk])
    seen = re.search(r'name="version" value="(\w+)"', client.get(url).content.decode()).group(1)
    data = {
        "name": column.name,
        "date": column.date.isoformat(),
        "category": column.category_id,
        "weight": "",
        "version": seen,
    }
    assert client.post(url, {**data, "name": "Sprawdzian – ułamki zwykłe"}).status_code == 302
    response = client.post(url, {**data, "weight": "5"})
    assert response.status_code == 409
    assert "Ktoś inny zmienił to w międzyczasie" in response.text
    column.refresh_from_db()
    assert column.name == "Sprawdzian – ułamki zwykłe" and column.weight == 3
    fresh = re.search(r'name="version" value="(\w+)"', response.text).group(1)
    response = client.post(url, {**data, "name": column.name, "weight": "5", "version": fresh})
    assert response.status_code == 302


def test_a_stale_grading_settings_form_is_refused(world, grading):
    client = world.client("principal")
    url = reverse("grades:settings")
    seen = re.search(r'name="version" value="(\w+)"', client.get(url).content.decode()).group(1)
    data = {
        "plus_value": "0.5",
        "minus_value": "0.25",
        "pass_threshold": "1.75",
        "proposal_notice_days": "7",
        "correction_policy": "both",
        "version": seen,
    }
    assert client.post(url, {**data, "correction_policy": "better"}).status_code == 302
    response = client.post(url, {**data, "plus_value": "0.33"})
    assert response.status_code == 409
    grading.refresh_from_db()
    assert (grading.correction_policy, str(grading.plus_value)) == ("better", "0.50")


def test_a_stale_behaviour_sheet_is_merged_or_names_the_cell(world, grading):
    url = reverse("grades:behaviour", args=[world.school_class.pk])
    services.behaviour_grade_set(
        actor=world.user("class_teacher"),
        student=world.classmate,
        school_class=world.school_class,
        term=world.term1,
        kind="term",
        value="db",
    )
    data = {
        f"term_{world.student.pk}": "wz",
        f"initial-term_{world.student.pk}": "",
        f"term_{world.classmate.pk}": "",
        f"initial-term_{world.classmate.pk}": "",
    }
    client = world.client("class_teacher")
    assert client.post(url, data).status_code == 302  # Kacper's "db" kept
    saved = dict(BehaviourGrade.objects.values_list("student_id", "value"))
    assert saved == {world.student.pk: "wz", world.classmate.pk: "db"}
    data[f"term_{world.classmate.pk}"] = "bdb"
    response = client.post(url, data)
    assert response.status_code == 409
    assert f"{world.classmate.full_name}, " in response.text
    assert (
        dict(BehaviourGrade.objects.values_list("student_id", "value"))[world.classmate.pk] == "db"
    )


def test_a_correction_or_comment_of_a_grade_deleted_meanwhile_is_refused(world, column):
    grade = Grade.objects.get(assessment=column, student=world.student)
    Grade.objects.filter(pk=grade.pk).delete()
    teacher = world.user("teacher_in")
    # missing (404) or stale (409), never a database error
    with pytest.raises((StaleEdit, PermissionDenied)):
        services.grade_correct(actor=teacher, grade=grade, raw="5")
    with pytest.raises((StaleEdit, PermissionDenied)):
        services.grade_comment_set(actor=teacher, grade=grade, comment="Brawo")
    assert not Grade.objects.filter(student=world.student, assessment=column).exists()
