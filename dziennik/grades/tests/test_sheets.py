"""The class sheets (term and final grades, behaviour grades) are saved whole or not at
all: every cell is checked first, each bad cell is named, nothing of a refused sheet is
stored, the page keeps what was typed, and a save based on an old sheet is refused."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.grades import selectors, services
from dziennik.grades.models import BehaviourGrade, ClassificationGrade
from dziennik.grades.sheets import (
    BEHAVIOUR_COLUMNS,
    CLASSIFICATION_COLUMNS,
    CellInput,
    SheetInvalid,
)
from dziennik.schools.tests import factories as sf
from dziennik.schools.viewer import get_viewer

from .factories import BehaviourGradeFactory, ClassificationGradeFactory
from .helpers import fill_class

COLUMN = {column.key: column for column in CLASSIFICATION_COLUMNS}
BEHAVIOUR = {column.key: column for column in BEHAVIOUR_COLUMNS}


def history(model) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
        .order_by("pk")
        .values_list("action", "student_id", "school_class_id")
    )


def save(world, cells, *, actor="teacher_in", **extra):
    return services.classification_sheet_save(
        actor=world.user(actor),
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        cells=cells,
        **extra,
    )


def stored() -> set[tuple]:
    return set(
        ClassificationGrade.objects.values_list("student_id", "kind", "is_proposal", "grade")
    )


# --- the service ------------------------------------------------------------------------------
def test_one_bad_cell_saves_nothing_and_is_named(world, grading):
    cells = [
        CellInput(world.student, COLUMN["term_proposal"], "4"),
        CellInput(world.classmate, COLUMN["term"], "7"),
    ]
    with pytest.raises(SheetInvalid) as refused:
        save(world, cells)
    assert stored() == set()
    assert history(ClassificationGrade) == []
    [error] = refused.value.cells
    assert error.cell is cells[1]
    assert refused.value.by_name == {
        f"term_{world.classmate.pk}": "Ocena musi mieścić się w skali od 1 do 6.",
    }
    assert refused.value.messages == [
        "Kacper Dąbrowski, Ocena śródroczna: Ocena musi mieścić się w skali od 1 do 6.",
    ]


def test_every_bad_cell_is_named(world, grading):
    stranger = sf.StudentFactory(school=world.school, first_name="Ola", last_name="Obca")
    cells = [
        CellInput(world.student, COLUMN["term_proposal"], "4+"),
        CellInput(world.classmate, COLUMN["final"], "0"),
        CellInput(stranger, COLUMN["term"], "5"),
        CellInput(world.student, COLUMN["term"], "5"),
    ]
    with pytest.raises(SheetInvalid) as refused:
        save(world, cells)
    assert refused.value.by_name == {
        f"term_proposal_{world.student.pk}": "„4+” nie jest oceną od 1 do 6 (ani nkl, ani zw).",
        f"final_{world.classmate.pk}": "Ocena musi mieścić się w skali od 1 do 6.",
        f"term_{stranger.pk}": "Ten uczeń nie należy do tej klasy.",
    }
    assert stored() == set()


def test_a_valid_sheet_is_saved_whole_with_its_history(world, grading):
    changed = save(
        world,
        [
            CellInput(world.student, COLUMN["term_proposal"], "4"),
            CellInput(world.student, COLUMN["term"], " 5 "),
            CellInput(world.classmate, COLUMN["term_proposal"], "2"),
            CellInput(world.classmate, COLUMN["term"], ""),  # empty: nothing to save
        ],
    )
    assert changed == 3
    assert stored() == {
        (world.student.pk, "term", True, 4),
        (world.student.pk, "term", False, 5),
        (world.classmate.pk, "term", True, 2),
    }
    class_id = world.school_class.pk
    assert sorted(history(ClassificationGrade)) == [
        ("create", world.student.pk, class_id),
        ("create", world.student.pk, class_id),
        ("create", world.classmate.pk, class_id),
    ]
    teacher = world.user("teacher_in")
    assert set(ClassificationGrade.objects.values_list("teacher_id", flat=True)) == {teacher.pk}


def test_changes_and_removals_are_in_the_history_and_unchanged_cells_are_not(world, grading):
    proposal = ClassificationGradeFactory(
        school_class=world.school_class,
        student=world.student,
        subject=world.subject,
        term=world.term1,
        is_proposal=True,
        grade=3,
    )
    final = ClassificationGradeFactory(
        school_class=world.school_class,
        student=world.classmate,
        subject=world.subject,
        term=world.term1,
        kind="final",
        grade=2,
    )
    cells = [
        CellInput(world.student, COLUMN["term_proposal"], "4"),
        CellInput(world.classmate, COLUMN["final"], ""),
        CellInput(world.classmate, COLUMN["term_proposal"], ""),
    ]
    assert save(world, cells) == 2
    proposal.refresh_from_db()
    assert proposal.grade == 4
    assert not ClassificationGrade.objects.filter(pk=final.pk).exists()
    update, delete = (
        AuditEntry.objects.filter(object_id=str(pk)).get() for pk in (proposal.pk, final.pk)
    )
    assert (update.action, update.changes) == ("update", {"grade": [3, 4]})
    assert (delete.action, delete.changes["grade"]) == ("delete", [2, None])
    # The same sheet again: nothing changes, nothing is written.
    assert save(world, cells[:1]) == 0
    assert AuditEntry.objects.count() == 2


def test_a_sheet_costs_the_same_queries_for_any_class_size(
    world, grading, django_assert_num_queries
):
    def cells_for(students, grade):
        return [
            CellInput(student, COLUMN[key], grade)
            for student in students
            for key in ("term_proposal", "term")
        ]

    counts = []
    for size in (2, 12):
        students = fill_class(world, size)
        ClassificationGrade.objects.all().delete()
        save(world, cells_for(students[:1], "3"))  # one row to update, the rest new
        get_viewer(world.user("teacher_in"))  # the viewer is the request's
        with django_assert_num_queries(SHEET_SAVE_QUERIES) as context:
            save(world, cells_for(students, "4"))
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    assert ClassificationGrade.objects.filter(grade=4).count() == 24


# The teacher's assignment, the enrolments, the students' lock (concurrent saves), the
# sheet's rows (locked), one insert, one update, one insert of the history, and the
# savepoint's two statements; telling the families of the new grades: the students and
# their guardians, the accounts, the notifications stored, the insert and its ids, the
# preferences, the deliveries (``notifications.services._emit``); the closed-year guard
# (``schools.services.ensure_year_open``, L-12) one.
SHEET_SAVE_QUERIES = 18


def test_a_stale_sheet_is_refused(world, grading):
    cells = [CellInput(world.student, COLUMN["term_proposal"], "4")]
    book = selectors.gradebook(
        get_viewer(world.user("teacher_in")), world.school_class.pk, world.subject.pk
    )
    opened = selectors.classification_sheet(book).version
    save(world, [CellInput(world.student, COLUMN["term_proposal"], "5")], actor="principal")
    with pytest.raises(SheetInvalid) as refused:
        save(world, cells, based_on=opened)
    assert refused.value.stale
    assert stored() == {(world.student.pk, "term", True, 5)}
    # Based on the sheet as it is now, the save goes through.
    now = selectors.classification_sheet(book).version
    assert now != opened
    save(world, cells, based_on=now)
    assert stored() == {(world.student.pk, "term", True, 4)}


def test_descriptive_sheet_in_classes_1_to_3(world, grading):
    world.school_class.level = 2
    world.school_class.save()
    with pytest.raises(SheetInvalid):
        save(
            world,
            [CellInput(world.classmate, COLUMN["term"], "Czyta płynnie.")],
            based_on="not-the-version",
        )
    save(world, [CellInput(world.classmate, COLUMN["term"], "Czyta płynnie.")])
    cg = ClassificationGrade.objects.get()
    assert (cg.grade, cg.text) == (None, "Czyta płynnie.")


@pytest.mark.parametrize("role", ["teacher_out", "class_teacher", "own_parent"])
def test_only_the_subjects_teachers_save_the_sheet(world, grading, role):
    with pytest.raises(PermissionDenied):
        save(world, [CellInput(world.student, COLUMN["term"], "5")], actor=role)
    assert stored() == set()


def test_behaviour_sheet_is_saved_whole_or_not_at_all(world, grading):
    teacher = world.user("class_teacher")
    common = {"actor": teacher, "school_class": world.school_class, "term": world.term1}
    cells = [
        CellInput(world.student, BEHAVIOUR["term"], "wz"),
        CellInput(world.classmate, BEHAVIOUR["term"], "super"),
    ]
    with pytest.raises(SheetInvalid) as refused:
        services.behaviour_sheet_save(cells=cells, **common)
    assert refused.value.by_name == {
        f"term_{world.classmate.pk}": "Wybierz ocenę zachowania ze skali."
    }
    assert not BehaviourGrade.objects.exists()
    cells[1] = CellInput(world.classmate, BEHAVIOUR["term"], "db")
    assert services.behaviour_sheet_save(cells=cells, **common) == 2
    assert set(BehaviourGrade.objects.values_list("student_id", "value")) == {
        (world.student.pk, "wz"),
        (world.classmate.pk, "db"),
    }
    assert len(history(BehaviourGrade)) == 2
    with pytest.raises(PermissionDenied):
        services.behaviour_sheet_save(cells=cells, **{**common, "actor": world.user("principal")})


# --- the screens -----------------------------------------------------------------------------
def classification_url(world) -> str:
    return reverse("grades:classification", args=[world.school_class.pk, world.subject.pk])


def cell_html(html: str, name: str) -> str:
    """The table cell of the input ``name``."""
    return re.search(rf'<td[^>]*>\s*<input[^>]*name="{name}".*?</td>', html, re.S).group(0)


def test_the_screen_shows_every_error_and_keeps_what_was_typed(world, grading):
    data = {
        f"term_proposal_{world.student.pk}": "4",
        f"term_{world.classmate.pk}": "7",
    }
    response = world.client("teacher_in").post(classification_url(world), data)
    assert response.status_code == 400
    assert stored() == set()
    html = response.content.decode()
    assert "Nic nie zapisano" in html
    assert "Kacper Dąbrowski, Ocena śródroczna: Ocena musi mieścić się w skali od 1 do 6." in html
    valid = cell_html(html, f"term_proposal_{world.student.pk}")
    assert 'value="4"' in valid and "aria-invalid" not in valid
    bad = cell_html(html, f"term_{world.classmate.pk}")
    assert 'value="7"' in bad and 'aria-invalid="true"' in bad
    assert f'id="term_{world.classmate.pk}-error">Ocena musi mieścić się w skali' in bad


def test_the_screen_saves_a_valid_sheet(world, grading):
    client = world.client("teacher_in")
    version = re.search(
        r'name="version" value="(\w+)"', client.get(classification_url(world)).content.decode()
    ).group(1)
    data = {
        "version": version,
        f"term_proposal_{world.student.pk}": "4",
        f"term_proposal_{world.classmate.pk}": "3",
    }
    response = client.post(classification_url(world), data)
    assert response.status_code == 302
    assert stored() == {
        (world.student.pk, "term", True, 4),
        (world.classmate.pk, "term", True, 3),
    }
    # The same form again is stale: the sheet changed since it was opened (409).
    data[f"term_proposal_{world.classmate.pk}"] = "5"
    response = client.post(classification_url(world), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "ktoś inny zmienił te oceny" in html
    bad = cell_html(html, f"term_proposal_{world.classmate.pk}")
    assert 'value="5"' in bad and "Zapisana teraz: 3" in bad
    assert (world.classmate.pk, "term", True, 3) in stored()


def test_the_behaviour_screen_keeps_what_was_chosen(world, grading):
    BehaviourGradeFactory(
        school_class=world.school_class, student=world.student, term=world.term1, value="db"
    )
    url = reverse("grades:behaviour", args=[world.school_class.pk])
    data = {f"term_{world.student.pk}": "wz", f"term_{world.classmate.pk}": "xx"}
    response = world.client("class_teacher").post(url, data)
    assert response.status_code == 400
    assert BehaviourGrade.objects.get().value == "db"
    html = response.content.decode()
    assert re.search(rf'name="term_{world.student.pk}".*?<option value="wz" selected>', html, re.S)
    assert f'id="term_{world.classmate.pk}-error"' in html
