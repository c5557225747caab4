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
