"""Services: validation, the law on homework, permissions, history, stored averages."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from dziennik.core.models import AuditEntry
from dziennik.grades import services
from dziennik.grades.models import (
    Assessment,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    StudentAverage,
)
from dziennik.schools.models import School
from dziennik.schools.tests import factories as sf

from .conftest import add_column, category, in_term


def average_of(world, student=None) -> Decimal | None:
    row = StudentAverage.objects.filter(
        student=student or world.student, subject=world.subject, term=world.term1
    ).first()
    return row.average if row else None


def test_column_for_the_whole_class_and_history(world, column):
    assert column.weight == Decimal(3)  # the category's weight
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Assessment), object_id=str(column.pk)
    )
    assert entry.action == "create"
    assert entry.school_class_id == world.school_class.pk
    grade = Grade.objects.get(assessment=column, student=world.student)
    assert (grade.symbol, grade.value) == ("4+", Decimal("4.50"))
    entries = AuditEntry.objects.filter(object_id=str(grade.pk), student=world.student)
    assert [(x.action, x.school_class_id) for x in entries] == [("create", world.school_class.pk)]


def test_edit_and_delete_are_in_the_history(world, column):
    teacher = world.user("teacher_in")
    services.grade_set(
        actor=teacher, assessment=column, student=world.student, raw="5-", comment="Brawo"
    )
    grade = Grade.objects.get(assessment=column, student=world.student)
    update = AuditEntry.objects.filter(object_id=str(grade.pk), action="update").get()
    assert update.changes["symbol"] == ["4+", "5-"]
    assert update.changes["comment"] == ["", "Brawo"]
    assert update.student_id == world.student.pk
    services.grade_set(actor=teacher, assessment=column, student=world.student, raw="")
    assert not Grade.objects.filter(pk=grade.pk).exists()
    deleted = AuditEntry.objects.get(object_id=str(grade.pk), action="delete")
    assert deleted.changes["symbol"] == ["5-", None]
    assert deleted.school_class_id == world.school_class.pk
    assert average_of(world) is None


def test_invalid_grade_is_refused_and_nothing_changes(world, column):
    with pytest.raises(ValidationError):
        services.grade_set(
            actor=world.user("teacher_in"), assessment=column, student=world.student, raw="7"
        )
    assert Grade.objects.get(assessment=column, student=world.student).symbol == "4+"


@pytest.mark.parametrize("role", ["teacher_out", "class_teacher", "own_parent", "student"])
def test_only_the_subjects_teacher_or_principal_grades(world, column, role):
    with pytest.raises(PermissionDenied):
        services.grade_set(
            actor=world.user(role), assessment=column, student=world.student, raw="5"
        )
    assert Grade.objects.get(assessment=column, student=world.student).symbol == "4+"


def test_principal_may_grade(world, column):
    services.grade_set(
        actor=world.user("principal"), assessment=column, student=world.student, raw="6"
    )
    assert average_of(world) == Decimal("6.00")


def test_student_outside_the_class_is_refused(world, column):
    stranger = sf.StudentFactory(school=world.school)
    sf.EnrolmentFactory(student=stranger, school_class=world.other_class, journal_number=1)
    with pytest.raises(ValidationError):
        services.grade_set(
            actor=world.user("teacher_in"), assessment=column, student=stranger, raw="5"
        )


def test_homework_is_not_graded_in_public_primary(world, grading):
    with pytest.raises(ValidationError) as exc:
        add_column(world, name="Zadanie domowe", cat="Praca domowa")
    assert "category" in exc.value.message_dict
    assert not Assessment.objects.filter(name="Zadanie domowe").exists()
    # "bz" (no homework) is a homework mark: refused as well
    column = add_column(world)
    with pytest.raises(ValidationError):
        services.grade_set(
            actor=world.user("teacher_in"), assessment=column, student=world.student, raw="bz"
        )
    # A secondary school (or a non-public one) may grade homework.
    School.objects.filter(pk=world.school.pk).update(school_type=School.Type.LYCEUM)
    world.school_class.school.refresh_from_db()
    homework = add_column(world, name="Zadanie domowe", cat="Praca domowa")
    services.grade_set(
        actor=world.user("teacher_in"), assessment=homework, student=world.student, raw="bz"
    )


def test_column_date_outside_the_term_is_refused(world, grading):
    with pytest.raises(ValidationError) as exc:
        add_column(world, days=400)
    assert "date" in exc.value.message_dict


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("both", Decimal("3.00")), ("better", Decimal("4.00")), ("latest", Decimal("4.00"))],
)
def test_correction_counts_by_the_schools_policy(world, grading, policy, expected):
    grading.correction_policy = policy
    grading.save()
    teacher = world.user("teacher_in")
    test = add_column(world, name="Sprawdzian", cat="Sprawdzian")
    services.grade_set(actor=teacher, assessment=test, student=world.student, raw="2")
    original = Grade.objects.get(assessment=test, student=world.student)
    correction = services.grade_correct(actor=teacher, grade=original, raw="4")
    assert correction.corrects_id == original.pk
    assert average_of(world) == expected  # both: (2×3 + 4×3) / 6 = 3
    assert AuditEntry.objects.filter(object_id=str(correction.pk), action="create").exists()


def test_rules_change_revalues_grades(world, column):
    assert average_of(world) == Decimal("4.50")
    services.grading_settings_update(
        actor=world.user("principal"), school_id=world.school.pk, plus_value=Decimal("0.33")
    )
    assert Grade.objects.get(assessment=column, student=world.student).value == Decimal("4.33")
    assert average_of(world) == Decimal("4.33")


def test_only_the_principal_changes_rules(world, grading):
    for role in ("teacher_in", "class_teacher", "other_principal", "own_parent"):
        with pytest.raises(PermissionDenied):
            services.comparisons_switch(
                actor=world.user(role), school_id=world.school.pk, enabled=True
            )
    grading.refresh_from_db()
    assert grading.comparisons_enabled is False
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    grading.refresh_from_db()
    assert grading.comparisons_enabled is True


def test_term_grades_numeric_from_class_4(world, grading):
    teacher = world.user("teacher_in")
    common = dict(
        actor=teacher,
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
    )
    with pytest.raises(ValidationError):
        services.classification_grade_set(is_proposal=False, text="Opis", **common)
    with pytest.raises(ValidationError):
        services.classification_grade_set(is_proposal=False, grade=7, **common)
    cg = services.classification_grade_set(is_proposal=True, grade=5, **common)
    assert cg.published_at is None
    assert (
        services.proposals_publish(
            actor=teacher, school_class=world.school_class, subject=world.subject, term=world.term1
        )
        == 1
    )
    cg.refresh_from_db()
    assert cg.published_at is not None
    with pytest.raises(PermissionDenied):
        services.classification_grade_set(
            **{**common, "actor": world.user("teacher_out")}, is_proposal=False, grade=4
        )


def test_descriptive_term_and_behaviour_grades_in_classes_1_to_3(world, grading):
    world.school_class.level = 2
    world.school_class.save()
    teacher = world.user("teacher_in")
    common = dict(
        actor=teacher,
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=False,
    )
    with pytest.raises(ValidationError):
        services.classification_grade_set(grade=5, **common)
    cg = services.classification_grade_set(text="Czyta płynnie i ze zrozumieniem.", **common)
    assert (cg.grade, cg.text) == (None, "Czyta płynnie i ze zrozumieniem.")
    behaviour = dict(
        student=world.student, school_class=world.school_class, term=world.term1, kind="term"
    )
    with pytest.raises(ValidationError):
        services.behaviour_grade_set(actor=world.user("class_teacher"), value="wz", **behaviour)
    bg = services.behaviour_grade_set(
        actor=world.user("class_teacher"), text="Koleżeńska i pomocna.", **behaviour
    )
    assert bg.text == "Koleżeńska i pomocna."


@pytest.mark.parametrize("role", ["teacher_in", "principal", "teacher_out", "own_parent"])
def test_only_the_class_teacher_sets_behaviour(world, grading, role):
    with pytest.raises(PermissionDenied):
        services.behaviour_grade_set(
            actor=world.user(role),
            student=world.student,
            school_class=world.school_class,
            term=world.term1,
            kind="term",
            value="wz",
        )
    assert not BehaviourGrade.objects.exists()
    bg = services.behaviour_grade_set(
        actor=world.user("class_teacher"),
        student=world.student,
        school_class=world.school_class,
        term=world.term1,
        kind="term",
        value="wz",
    )
    assert bg.get_value_display()
    assert AuditEntry.objects.filter(object_id=str(bg.pk), student=world.student).exists()


def test_point_column(world, grading):
    quiz = add_column(world, kind=Assessment.Kind.POINTS, max_points=Decimal(20))
    teacher = world.user("teacher_in")
    grade = services.grade_set(actor=teacher, assessment=quiz, student=world.student, raw="18")
    assert (grade.points, grade.value) == (Decimal(18), Decimal(5))
    with pytest.raises(ValidationError):
        services.grade_set(actor=teacher, assessment=quiz, student=world.student, raw="25")
    assert average_of(world) == Decimal("5.00")
    with pytest.raises(ValidationError):
        add_column(world, name="Bez maksimum", kind=Assessment.Kind.POINTS)


def test_descriptive_column_does_not_count(world, grading):
    column = add_column(world, kind=Assessment.Kind.DESCRIPTIVE)
    grade = services.grade_set(
        actor=world.user("teacher_in"),
        assessment=column,
        student=world.student,
        raw="Ładnie opisał doświadczenie.",
    )
    assert grade.text == "Ładnie opisał doświadczenie."
    assert grade.value is None
    assert average_of(world) is None
    assert ClassificationGrade.objects.count() == 0
    assert in_term(world)
    assert category(world.school).weight == Decimal(3)


def test_policy_change_recomputes_stored_averages(world, grading):
    teacher = world.user("teacher_in")
    test = add_column(world, name="Sprawdzian", cat="Sprawdzian")
    services.grade_set(actor=teacher, assessment=test, student=world.student, raw="2")
    services.grade_correct(
        actor=teacher, grade=Grade.objects.get(assessment=test, student=world.student), raw="5"
    )
    assert average_of(world) == Decimal("3.50")  # both count
    services.grading_settings_update(
        actor=world.user("principal"), school_id=world.school.pk, correction_policy="better"
    )
    assert average_of(world) == Decimal("5.00")
    entry = AuditEntry.objects.filter(action="update", object_repr=str(world.school)).get()
    assert entry.changes["correction_policy"] == ["both", "better"]


# --- editing and deleting a column --------------------------------------------------------
def column_history(column, action):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Assessment),
        object_id=str(column.pk),
        action=action,
    )


@pytest.fixture
def quiz(world, column):
    """A quiz (weight 2) next to the test: Zofia 3, Kacper 5. Averages 3.90 and 3.20."""
    teacher = world.user("teacher_in")
    quiz = add_column(world, name="Kartkówka – ułamki", cat="Kartkówka")
    services.grade_set(actor=teacher, assessment=quiz, student=world.student, raw="3")
    services.grade_set(actor=teacher, assessment=quiz, student=world.classmate, raw="5")
    assert (average_of(world), average_of(world, world.classmate)) == (
        Decimal("3.90"),  # (4.5×3 + 3×2) / 5
        Decimal("3.20"),  # (2×3 + 5×2) / 5
    )
    return quiz


def test_column_weight_change_is_in_the_history_and_recomputes_averages(world, column, quiz):
    changed = services.assessment_update(
        actor=world.user("teacher_in"),
        assessment=column,
        name="Sprawdzian – ułamki zwykłe",
        weight=Decimal(1),
    )
    assert (changed.name, changed.weight) == ("Sprawdzian – ułamki zwykłe", Decimal(1))
    column.refresh_from_db()
    assert column.weight == Decimal(1)
    entry = column_history(column, "update").get()
    assert entry.changes == {
        "name": ["Sprawdzian – ułamki", "Sprawdzian – ułamki zwykłe"],
        "weight": ["3.00", "1.00"],
    }
    assert entry.actor == world.user("teacher_in")
    assert entry.school_class_id == world.school_class.pk
    assert average_of(world) == Decimal("3.50")  # (4.5×1 + 3×2) / 3
    assert average_of(world, world.classmate) == Decimal("4.00")  # (2×1 + 5×2) / 3


def test_category_change_takes_its_weight_and_whether_it_counts(world, column, quiz):
    mock_exam = category(world.school, "Próbny egzamin")  # weight 1, not in the average
    services.assessment_update(
        actor=world.user("principal"), assessment=column, category=mock_exam, weight=None
    )
    column.refresh_from_db()
    assert (column.category_id, column.weight) == (mock_exam.pk, Decimal(1))
    entry = column_history(column, "update").get()
    assert entry.changes == {
        "category": [category(world.school).pk, mock_exam.pk],
        "weight": ["3.00", "1.00"],
    }
    assert average_of(world) == Decimal("3.00")  # only the quiz counts now
    assert average_of(world, world.classmate) == Decimal("5.00")


def test_unchanged_column_writes_no_history(world, column):
    services.assessment_update(
        actor=world.user("teacher_in"),
        assessment=column,
        name=" Sprawdzian – ułamki ",
        weight=Decimal("3"),
        date=column.date,
    )
    assert not column_history(column, "update").exists()


def test_column_date_change_is_recorded_without_touching_averages(world, column):
    new_date = in_term(world, 20)
    services.assessment_update(actor=world.user("teacher_in"), assessment=column, date=new_date)
    entry = column_history(column, "update").get()
    assert entry.changes == {"date": [column.date.isoformat(), new_date.isoformat()]}
    assert average_of(world) == Decimal("4.50")


@pytest.mark.parametrize(
    "role", ["teacher_out", "class_teacher", "own_parent", "student", "other_principal"]
)
def test_only_who_grades_the_class_edits_a_column(world, column, role):
    with pytest.raises(PermissionDenied):
        services.assessment_update(
            actor=world.user(role), assessment=column, name="Zmienione", weight=Decimal(1)
        )
    column.refresh_from_db()
    assert (column.name, column.weight) == ("Sprawdzian – ułamki", Decimal(3))
    assert not column_history(column, "update").exists()
    assert average_of(world) == Decimal("4.50")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"date": "outside"}, "date"),
        ({"weight": Decimal(101)}, "weight"),
        ({"category": "homework"}, "category"),
        ({"max_points": Decimal(20)}, "max_points"),  # not a points column
    ],
)
def test_column_edit_is_validated_like_a_new_column(world, column, changes, field):
    if changes.get("date") == "outside":
        changes["date"] = world.term2.start_date  # the column's term is the first
    if changes.get("category") == "homework":
        changes["category"] = category(world.school, "Praca domowa")
    with pytest.raises(ValidationError) as exc:
        services.assessment_update(actor=world.user("teacher_in"), assessment=column, **changes)
    assert field in exc.value.message_dict
    column.refresh_from_db()
    assert (column.name, column.date, column.weight) == (
        "Sprawdzian – ułamki",
        in_term(world),
        Decimal(3),
    )
    assert not column_history(column, "update").exists()


def test_point_column_maximum_revalues_its_grades(world, grading):
    teacher = world.user("teacher_in")
    test = add_column(world, kind=Assessment.Kind.POINTS, max_points=Decimal(20))
    services.grade_set(actor=teacher, assessment=test, student=world.student, raw="18")
    assert average_of(world) == Decimal("5.00")  # 90 %
    services.assessment_update(actor=teacher, assessment=test, max_points=Decimal(30))
    assert Grade.objects.get(assessment=test).value == Decimal(3)  # 60 %
    assert average_of(world) == Decimal("3.00")
    assert column_history(test, "update").get().changes == {"max_points": ["20.00", "30.00"]}
    with pytest.raises(ValidationError) as exc:
        services.assessment_update(actor=teacher, assessment=test, max_points=Decimal(15))
    assert "max_points" in exc.value.message_dict  # 18 points would not fit
    test.refresh_from_db()
    assert test.max_points == Decimal(30)


def test_unknown_column_field_is_a_programming_error(world, column):
    with pytest.raises(ValueError):
        services.assessment_update(actor=world.user("teacher_in"), assessment=column, kind="points")


def test_deleting_a_column_keeps_it_and_its_grades_in_the_history(world, column, quiz):
    teacher = world.user("teacher_in")
    original = Grade.objects.get(assessment=column, student=world.classmate)
    correction = services.grade_correct(actor=teacher, grade=original, raw="4")
    grade_ids = set(Grade.objects.filter(assessment=column).values_list("pk", flat=True))
    assert len(grade_ids) == 3
    assert services.assessment_delete(actor=teacher, assessment=column, expected_grades=3) == 3
    assert not Assessment.objects.filter(pk=column.pk).exists()
    assert not Grade.objects.filter(pk__in=grade_ids).exists()
    assert Grade.objects.filter(assessment=quiz).count() == 2
    entry = column_history(column, "delete").get()
    assert entry.changes["name"] == ["Sprawdzian – ułamki", None]
    assert entry.changes["weight"] == ["3.00", None]
    assert (entry.actor, entry.school_class_id) == (teacher, world.school_class.pk)
    deleted = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Grade), action="delete"
    )
    assert {int(e.object_id) for e in deleted} == grade_ids
    by_grade = {int(e.object_id): e for e in deleted}
    assert by_grade[correction.pk].changes["symbol"] == ["4", None]
    assert by_grade[correction.pk].student_id == world.classmate.pk
    assert by_grade[original.pk].changes["corrects"] == [None, None]
    assert {e.school_class_id for e in deleted} == {world.school_class.pk}
    # Only the quiz is left.
    assert average_of(world) == Decimal("3.00")
    assert average_of(world, world.classmate) == Decimal("5.00")


def test_deleting_the_only_column_removes_the_stored_averages(world, column):
    services.assessment_delete(actor=world.user("principal"), assessment=column)
    assert average_of(world) is None
    assert average_of(world, world.classmate) is None


def test_deleting_after_the_grades_changed_asks_again(world, column):
    with pytest.raises(ValidationError):
        services.assessment_delete(
            actor=world.user("teacher_in"), assessment=column, expected_grades=1
        )
    assert Grade.objects.filter(assessment=column).count() == 2
    assert not column_history(column, "delete").exists()


@pytest.mark.parametrize(
    "role", ["teacher_out", "class_teacher", "own_parent", "student", "other_principal"]
)
def test_only_who_grades_the_class_deletes_a_column(world, column, role):
    with pytest.raises(PermissionDenied):
        services.assessment_delete(actor=world.user(role), assessment=column)
    assert Grade.objects.filter(assessment=column).count() == 2
    assert not AuditEntry.objects.filter(action="delete").exists()
    assert average_of(world) == Decimal("4.50")
