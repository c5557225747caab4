"""Bad input on the grade screens: a clear 400 or 404 with the error shown, never a
server error, and nothing stored."""

import json
import re

import pytest
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.grades import services
from dziennik.grades.models import (
    DESCRIPTIVE_MAX_LENGTH,
    Assessment,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    GradingSettings,
)
from dziennik.grades.sheets import (
    BEHAVIOUR_COLUMNS,
    CLASSIFICATION_COLUMNS,
    CellInput,
    SheetInvalid,
)

from .conftest import add_column, category, in_term

COLUMN = {column.key: column for column in CLASSIFICATION_COLUMNS}
BEHAVIOUR = {column.key: column for column in BEHAVIOUR_COLUMNS}
MEGABYTE = "Zofia czyta płynnie. " * 50_000  # about 1 MB


def stored():
    return (
        Assessment.objects.count(),
        Grade.objects.count(),
        ClassificationGrade.objects.count(),
        BehaviourGrade.objects.count(),
        AuditEntry.objects.count(),
    )


def new_column(world, **changes):
    data = {
        "name": "Sprawdzian",
        "date": in_term(world).isoformat(),
        "category": category(world.school).pk,
        "kind": "standard",
        "weight": "",
        "max_points": "",
        **changes,
    }
    url = reverse("grades:assessment_new", args=[world.school_class.pk, world.subject.pk])
    return world.client("teacher_in").post(url + f"?okres={world.term1.pk}", data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "x" * 121}, "120"),
        ({"kind": "abc"}, "Wybierz jedną z podanych wartości"),
        ({"kind": "descriptive-long"}, "Wybierz jedną z podanych wartości"),
        ({"kind": "points", "max_points": "999999999"}, "maksymalną liczbę punktów"),
        ({"kind": "points", "max_points": "1e999"}, "maksymalną liczbę punktów"),
        ({"weight": "1e999"}, "Waga musi być liczbą"),
        ({"weight": "99999999999999999999"}, "Waga musi być liczbą"),
        ({"date": "9999-12-31"}, "Data musi"),
    ],
)
def test_a_new_column_with_bad_input_is_refused_with_the_error(world, grading, changes, message):
    before = stored()
    response = new_column(world, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored() == before


def test_a_column_name_keeps_no_nul_or_control_characters(world, grading):
    assert new_column(world, name="Spraw\x00dzian\r\n– ułamki").status_code == 302
    assert Assessment.objects.get().name == "Sprawdzian – ułamki"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "x" * 121}, "120"),
        ({"max_points": "999999999"}, "maksymalną liczbę punktów"),
        ({"max_points": "1e999"}, "maksymalną liczbę punktów"),
        ({"weight": "1e999"}, "Waga musi być liczbą"),
    ],
)
def test_a_changed_column_with_bad_input_is_refused(world, grading, changes, message):
    column = add_column(world, kind="points", max_points=20)
    data = {
        "name": column.name,
        "date": column.date.isoformat(),
        "category": column.category_id,
        "weight": "",
        "max_points": "20",
        **changes,
    }
    before = stored()
    response = world.client("teacher_in").post(
        reverse("grades:assessment_edit", args=[column.pk]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored() == before


def cell(world, column, **data):
    url = reverse("grades:grade_cell", args=[column.pk])
    return world.client("teacher_in").post(url, {"student": world.student.pk, **data})


def test_a_descriptive_grade_of_a_megabyte_is_refused(world, grading):
    column = add_column(world, kind="descriptive")
    before = stored()
    response = cell(world, column, value=MEGABYTE)
    assert response.status_code == 400
    assert str(DESCRIPTIVE_MAX_LENGTH) in json.loads(response.content)["error"]
    assert stored() == before
    assert cell(world, column, value="x" * DESCRIPTIVE_MAX_LENGTH).status_code == 200


def test_a_descriptive_grade_and_a_comment_keep_no_control_characters(world, grading):
    column = add_column(world, kind="descriptive")
    response = cell(
        world, column, value="Czyta\x00 płynnie.\r\nLiczy\x1b do 100.", comment="Brawo\x00"
    )
    assert response.status_code == 200
    grade = Grade.objects.get()
    assert (grade.text, grade.comment) == ("Czyta płynnie.\nLiczy do 100.", "Brawo")
    response = cell(world, column, field="comment", comment="Super\x00\r\npraca")
    assert response.status_code == 200
    grade.refresh_from_db()
    assert grade.comment == "Super\npraca"


@pytest.mark.parametrize("value", ["1e999", "99999999999999999999", "NaN", "-1"])
def test_points_that_no_column_holds_are_refused(world, grading, value):
    column = add_column(world, kind="points", max_points=20)
    response = cell(world, column, value=value)
    assert response.status_code == 400
    assert not Grade.objects.exists()


@pytest.mark.parametrize("student", ["99999999999999999999", "²", "-1"])
def test_a_cell_of_no_possible_student_is_missing(world, grading, student):
    column = add_column(world)
    url = reverse("grades:grade_cell", args=[column.pk])
    response = world.client("teacher_in").post(url, {"student": student, "value": "5"})
    assert response.status_code == 404
    assert not Grade.objects.exists()


def classification_save(world, cells, school_class=None):
    return services.classification_sheet_save(
        actor=world.user("teacher_in"),
        school_class=school_class or world.school_class,
        subject=world.subject,
        term=world.term1,
        cells=cells,
    )


@pytest.mark.parametrize("value", ["²", "١", "５", "99999999999999999999"])
def test_a_term_grade_that_is_no_ascii_number_is_a_named_bad_cell(world, grading, value):
    url = reverse("grades:classification", args=[world.school_class.pk, world.subject.pk])
    response = world.client("teacher_in").post(url, {f"term_{world.student.pk}": value})
    assert response.status_code == 400
    assert "nie jest oceną od 1 do 6" in response.content.decode()
    assert not ClassificationGrade.objects.exists()


def early_years(world):
    world.school_class.level = 2
    world.school_class.save()


def test_a_descriptive_term_grade_is_bounded(world, grading):
    early_years(world)
    too_long = "x" * (DESCRIPTIVE_MAX_LENGTH + 1)
    for text in (MEGABYTE, too_long):
        with pytest.raises(SheetInvalid) as caught:
            classification_save(world, [CellInput(world.student, COLUMN["term"], text)])
        assert str(DESCRIPTIVE_MAX_LENGTH) in str(caught.value.messages)
    assert not ClassificationGrade.objects.exists()
    text = "Czyta\x00 płynnie.\r\n" + "x" * (DESCRIPTIVE_MAX_LENGTH - 20)
    classification_save(world, [CellInput(world.student, COLUMN["term"], text)])
    assert ClassificationGrade.objects.get().text == text.replace("\x00", "").replace("\r", "")


def test_a_descriptive_behaviour_grade_is_bounded_and_clean(world, grading):
    early_years(world)
    common = {
        "actor": world.user("class_teacher"),
        "school_class": world.school_class,
        "term": world.term1,
    }
    with pytest.raises(SheetInvalid):
        services.behaviour_sheet_save(
            **common, cells=[CellInput(world.student, BEHAVIOUR["term"], MEGABYTE)]
        )
    assert not BehaviourGrade.objects.exists()
    services.behaviour_sheet_save(
        **common, cells=[CellInput(world.student, BEHAVIOUR["term"], "Kulturalna\x00.")]
    )
    assert BehaviourGrade.objects.get().text == "Kulturalna."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("proposal_notice_days", "²"),
        ("proposal_notice_days", "١٢"),
        ("proposal_notice_days", "99999999999999999999"),
        ("plus_value", "1e999"),
        ("pass_threshold", "99999999999999999999"),
        ("correction_policy", "x" * 100),
    ],
)
def test_grade_settings_with_bad_input_are_refused(world, grading, field, value):
    data = {
        "plus_value": "0.5",
        "minus_value": "0.25",
        "pass_threshold": "1.75",
        "proposal_notice_days": "7",
        "correction_policy": "both",
        field: value,
    }
    before = list(GradingSettings.objects.values())
    response = world.client("principal").post(reverse("grades:settings"), data)
    assert response.status_code == 400
    assert list(GradingSettings.objects.values()) == before


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"subject": "99999999999999999999", "weight": "3", "target": "4"}, 404),
        ({"subject": "²", "weight": "3", "target": "4"}, 404),
        ({"subject": "{subject}", "weight": "1e999", "target": "4"}, 400),
        ({"subject": "{subject}", "weight": "3", "target": "-1e999"}, 400),
        ({"subject": "{subject}", "weight": "3", "target": "4", "okres": "9" * 30}, 404),
    ],
)
def test_what_do_i_need_with_bad_input(world, grading, query, status):
    query = {k: v.format(subject=world.subject.pk) for k, v in query.items()}
    url = reverse("grades:student_need", args=[world.student.pk])
    assert world.client("own_parent").get(url, query).status_code == status


@pytest.mark.parametrize("term", ["99999999999999999999", "²", "0"])
def test_a_term_that_cannot_exist_is_missing(world, grading, term):
    client = world.client("teacher_in")
    for url in (
        reverse("grades:student", args=[world.student.pk]),
        reverse("grades:student_pdf", args=[world.student.pk]),
        reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk]),
    ):
        assert client.get(url, {"okres": term}).status_code == 404, url


def test_the_descriptive_fields_say_their_limit(world, grading):
    """The browser stops at the limit the services keep (``DESCRIPTIVE_MAX_LENGTH``)."""
    early_years(world)
    pages = [
        reverse("grades:classification", args=[world.school_class.pk, world.subject.pk]),
        reverse("grades:behaviour", args=[world.school_class.pk]),
    ]
    for url, role in zip(pages, ("teacher_in", "class_teacher"), strict=True):
        html = world.client(role).get(url).content.decode()
        limits = set(re.findall(r'<textarea[^>]*maxlength="(\d+)"', html))
        assert limits == {str(DESCRIPTIVE_MAX_LENGTH)}, url
