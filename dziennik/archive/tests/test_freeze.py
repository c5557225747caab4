"""A closed year is frozen: the journals' write services refuse changes, but for the
principal's documented correction, which the history keeps with its reason (L-12)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dziennik.attendance import services as attendance_services
from dziennik.attendance.models import Lesson
from dziennik.attendance.tests.factories import build_register, save_lesson
from dziennik.behaviour import services as behaviour_services
from dziennik.behaviour.models import BehaviourCategory
from dziennik.core.models import AuditEntry
from dziennik.grades import services as grade_services
from dziennik.grades.models import Grade, GradeCategory
from dziennik.schools import services as school_services


@pytest.fixture
def register(world):
    grade_services.grading_setup_defaults(school=world.school)
    behaviour_services.behaviour_categories_ensure_defaults(school=world.school)
    reg = build_register(world)
    lesson = save_lesson(world, reg, reg.math2, {}, topic="Ułamki zwykłe")
    column = grade_services.assessment_create(
        actor=world.user("teacher_in"),
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        name="Sprawdzian",
        date=world.term1.start_date + datetime.timedelta(days=10),
        category=GradeCategory.objects.get(school=world.school, name="Sprawdzian"),
    )
    grade_services.grade_set(
        actor=world.user("teacher_in"), assessment=column, student=world.student, raw="4"
    )
    return reg, lesson, column


def refused(call) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.code == "year_closed"
    assert "is closed and archived" in caught.value.messages[0]


def test_a_closed_year_refuses_every_journal(world, register):
    reg, lesson, column = register
    teacher = world.user("teacher_in")
    school_services.school_year_close(actor=world.user("principal"), school_year=world.year)
    world.year.refresh_from_db()
    assert world.year.is_closed and world.year.closed_by == world.user("principal")

    refused(
        lambda: grade_services.grade_set(
            actor=teacher, assessment=column, student=world.student, raw="5"
        )
    )
    refused(
        lambda: attendance_services.lesson_save(
            actor=teacher, lesson=lesson, topic="Inny temat", marks={}
        )
    )
    refused(
        lambda: attendance_services.lesson_open(actor=teacher, entry_id=reg.math2.pk, date=reg.day)
    )
    refused(
        lambda: grade_services.classification_grade_set(
            actor=teacher,
            student=world.student,
            school_class=world.school_class,
            subject=world.subject,
            term=world.term2,
            kind="final",
            is_proposal=False,
            grade=5,
        )
    )
    refused(
        lambda: grade_services.behaviour_grade_set(
            actor=world.user("class_teacher"),
            student=world.student,
            school_class=world.school_class,
            term=world.term2,
            kind="final",
            value="bdb",
        )
    )
    refused(
        lambda: behaviour_services.note_create(
            actor=teacher,
            student=world.student,
            category=BehaviourCategory.objects.filter(school=world.school).first(),
            text="Pomogła koledze",
            date=reg.day,
        )
    )
    assert Grade.objects.get(assessment=column, student=world.student).symbol == "4"
    lesson.refresh_from_db()
    assert lesson.topic == "Ułamki zwykłe"


def test_the_principals_documented_correction(world, register):
    _reg, lesson, _column = register
    principal = world.user("principal")
    school_services.school_year_close(actor=principal, school_year=world.year)

    with pytest.raises(ValidationError):
        school_services.school_year_correction_open(
            actor=principal, school_year=world.year, reason="  "
        )
    with pytest.raises(PermissionDenied):
        school_services.school_year_correction_open(
            actor=world.user("secretary"), school_year=world.year, reason="Literówka"
        )
    school_services.school_year_correction_open(
        actor=principal, school_year=world.year, reason="Literówka w temacie lekcji"
    )
    entry = AuditEntry.objects.filter(object_id=str(world.year.pk), action="update").latest("pk")
    assert entry.actor == principal
    assert entry.changes["correction_reason"] == ["", "Literówka w temacie lekcji"]

    attendance_services.lesson_save(
        actor=principal, lesson=lesson, topic="Ułamki zwykłe – powtórzenie", marks={}
    )
    lesson.refresh_from_db()
    assert lesson.topic == "Ułamki zwykłe – powtórzenie"
    topic_entry = AuditEntry.objects.filter(
        object_id=str(lesson.pk), content_type__model="lesson"
    ).latest("pk")
    assert topic_entry.actor == principal
    # Anyone else is still refused during the correction.
    refused(
        lambda: attendance_services.lesson_save(
            actor=world.user("teacher_in"), lesson=lesson, topic="Inny", marks={}
        )
    )
    # Closing again ends the correction: the principal too is refused now.
    school_services.school_year_close(actor=principal, school_year=world.year)
    refused(
        lambda: attendance_services.lesson_save(
            actor=principal, lesson=lesson, topic="Jeszcze inny", marks={}
        )
    )
    assert Lesson.objects.get(pk=lesson.pk).topic == "Ułamki zwykłe – powtórzenie"


@pytest.mark.parametrize("role", ["secretary", "teacher_in", "class_teacher", "other_principal"])
def test_only_the_principal_closes_the_year(world, role):
    with pytest.raises(PermissionDenied):
        school_services.school_year_close(actor=world.user(role), school_year=world.year)
    world.year.refresh_from_db()
    assert not world.year.is_closed
