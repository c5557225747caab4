"""A write that changes what cached pages show without moving their versions fails
(``dziennik.core.cache_guard``, on in the test settings)."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction

from dziennik.core import audit, cache, cache_guard
from dziennik.core.apps import NOT_REGISTER_DATA
from dziennik.grades import services as grades
from dziennik.grades.models import Assessment, Grade, GradeCategory
from dziennik.schools.models import Subject


@pytest.fixture
def assessment(world) -> Assessment:
    grades.grading_setup_defaults(school=world.school)
    return grades.assessment_create(
        actor=world.user("teacher_in"),
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        name="Sprawdzian",
        date=world.term1.start_date + datetime.timedelta(days=10),
        category=GradeCategory.objects.get(school=world.school, name="Sprawdzian"),
    )


def _grade(world, assessment, student=None) -> Grade:
    return Grade(
        school=world.school,
        assessment=assessment,
        student=student or world.student,
        symbol="5",
        value=Decimal(5),
        teacher=world.user("teacher_in"),
    )


def test_a_raw_save_of_a_grade_without_history_is_caught(world, assessment):
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match=r"grades\.Grade \d+: none of"),
        transaction.atomic(),
    ):
        _grade(world, assessment).save()  # no history: the parent's page would stay


def test_the_same_save_with_its_history_passes(world, assessment):
    with transaction.atomic():
        grade = _grade(world, assessment)
        grade.save()
        audit.record_create(
            actor=world.user("teacher_in"), instance=grade, student_id=grade.student_id
        )
    assert Grade.objects.filter(pk=grade.pk).exists()


def test_history_naming_another_student_does_not_cover_the_write(world, assessment):
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match=r"grades\.Grade"),
        transaction.atomic(),
    ):
        grade = _grade(world, assessment)
        grade.save()
        audit.record_create(
            actor=world.user("teacher_in"), instance=grade, student_id=world.classmate.pk
        )


def test_a_queryset_update_without_a_bump_is_caught_and_with_one_passes(world, assessment):
    with transaction.atomic():
        grade = _grade(world, assessment)
        grade.save()
        audit.record_create(actor=None, instance=grade, student_id=grade.student_id)
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match="table grades_grade"),
        transaction.atomic(),
    ):
        Grade.objects.filter(pk=grade.pk).update(symbol="1")
    # the grade overview keeps its rows per subject: the student's scope is not enough
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match="table grades_grade: rows of a subject"),
        transaction.atomic(),
    ):
        Grade.objects.filter(pk=grade.pk).update(symbol="1")
        cache.bump(cache.student_scope(grade.student_id))
    with transaction.atomic():
        Grade.objects.filter(pk=grade.pk).update(symbol="2")
        cache.bump(cache.student_scope(grade.student_id))
        cache.bump(cache.subject_scope(grade.student_id, assessment.subject_id))
    assert Grade.objects.get(pk=grade.pk).symbol == "2"


def test_a_saved_grade_needs_its_own_subject_bumped(world, assessment):
    """Recording the change moves the subject of the grade's column (read from the row);
    a bump of the student's data, or of the student's other subject, does not cover it."""
    other = Subject.objects.create(school=world.school, name="Fizyka")
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match=r"grades\.Grade \d+: none of"),
        transaction.atomic(),
    ):
        grade = _grade(world, assessment)
        grade.save()
        cache.bump(cache.student_scope(world.student.pk), cache.data_scope(world.school_class.pk))
        cache.bump(cache.subject_scope(world.student.pk, other.pk))
    bumped = []
    cache.bump_listeners.append(bumped.append)
    try:
        with transaction.atomic():  # (the refused row stays until the test's rollback)
            grade = _grade(world, assessment, world.classmate)
            grade.save()
            audit.record_create(actor=None, instance=grade, student_id=grade.student_id)
    finally:
        cache.bump_listeners.remove(bumped.append)
    assert cache.subject_scope(world.classmate.pk, world.subject.pk) in bumped[0]


def test_a_column_moves_its_class_subject(world, assessment):
    """A column (a row of the whole class) needs the class's scope of its subject."""
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match=r"grades\.Assessment"),
        transaction.atomic(),
    ):
        assessment.name = "Kartkówka"
        assessment.save()
        cache.bump(cache.data_scope(world.school_class.pk))
    with transaction.atomic():
        before = audit.snapshot(assessment, fields=["name"])
        assessment.name = "Kartkówka 2"
        assessment.save()
        audit.record_update(
            actor=None,
            instance=assessment,
            before=before,
            school_class_id=assessment.school_class_id,
        )


def test_a_grade_whose_column_is_not_loaded_needs_a_subject_of_its_student(world, assessment):
    with transaction.atomic():
        grade = _grade(world, assessment)
        grade.save()
        audit.record_create(actor=None, instance=grade, student_id=grade.student_id)
    grade = Grade.objects.get(pk=grade.pk)  # its column not loaded: no query in the guard
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match=r"grades\.Grade"),
        transaction.atomic(),
    ):
        grade.comment = "x"
        grade.save()
        cache.bump(cache.student_scope(world.student.pk))
    with transaction.atomic():
        before = audit.snapshot(grade, fields=["comment"])
        grade.comment = "y"
        grade.save()
        audit.record_update(actor=None, instance=grade, before=before, student_id=grade.student_id)


def test_a_bulk_write_of_configuration_needs_a_configuration_bump(world):
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match="table schools_subject"),
        transaction.atomic(),
    ):
        Subject.objects.filter(pk=world.subject.pk).update(name="Matematyka rozszerzona")
    with transaction.atomic():
        Subject.objects.filter(pk=world.subject.pk).update(name="Matematyka rozszerzona")
        cache.bump(cache.config_scope(world.school.pk))


def test_a_statement_that_changes_no_row_is_no_write(world, assessment):
    with transaction.atomic():
        Grade.objects.filter(pk=-1).update(symbol="1")
        Grade.objects.filter(pk=-1).delete()


def test_a_rolled_back_transaction_leaves_nothing_to_check(world, assessment):
    with pytest.raises(RuntimeError), transaction.atomic():
        _grade(world, assessment).save()
        raise RuntimeError("the service failed half-way")
    with transaction.atomic():  # a later, honest transaction is checked on its own
        Subject.objects.filter(pk=world.subject.pk).update(name="x")
        cache.bump(cache.config_scope(world.school.pk))


def test_a_nested_block_is_checked_with_its_outermost_block(world, assessment):
    """The history may follow the write in the enclosing block of the same service."""
    with transaction.atomic():
        with transaction.atomic():
            grade = _grade(world, assessment)
            grade.save()
        audit.record_create(actor=None, instance=grade, student_id=grade.student_id)


def test_writes_outside_a_transaction_are_the_tests_own(world, assessment):
    """The factories build the test's world with plain saves: not checked."""
    _grade(world, assessment).save()


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_without_history_is_caught(world, assessment):
    """Outside a test's transaction (live-server tests, the running site in DEBUG) the
    check runs when the transaction commits."""
    with (
        pytest.raises(cache_guard.UnrecordedWrite, match=r"grades\.Grade"),
        transaction.atomic(),
    ):
        _grade(world, assessment).save()


def test_every_model_pointing_at_a_student_or_class_is_guarded():
    guarded = {m._meta.label for m in cache_guard._row_scopes}
    assert {
        "attendance.Lesson",
        "attendance.AttendanceMark",
        "attendance.Justification",
        "attendance.AttendanceAlert",
        "grades.Assessment",
        "grades.Grade",
        "grades.StudentAverage",
        "grades.ClassificationGrade",
        "grades.BehaviourGrade",
    } <= guarded
    assert not guarded & {"core.AuditEntry", "grades.GradeVisit", "schools.Enrolment"}
    for model in apps.get_models():
        points_at_register = any(
            f.many_to_one
            and f.related_model._meta.label in {"schools.Student", "schools.SchoolClass"}
            for f in model._meta.concrete_fields
        )
        # rows declared no register data (the history, the grade page's "last seen",
        # credential letters, XML exports, the privacy app's rows): each with its reason
        ignored = model._meta.label in NOT_REGISTER_DATA
        if model.__module__.startswith("dziennik.") and points_at_register and not ignored:
            assert model._meta.db_table in cache_guard._tables, model._meta.label
