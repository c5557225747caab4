"""The year close's checks list exactly what is missing, with links (L-09, L-12), and
the close is refused while something is missing unless the principal gives a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from dziennik.archive import selectors, services
from dziennik.archive.models import YearArchive
from dziennik.attendance.tests.factories import build_register, open_lesson, save_lesson
from dziennik.grades import services as grade_services
from dziennik.schools.viewer import get_viewer


@pytest.fixture
def scene(world):
    grade_services.grading_setup_defaults(school=world.school)
    reg = build_register(world)
    untitled = save_lesson(world, reg, reg.math2, {}, topic="")
    unopened = open_lesson(world, reg.history1, reg.day)  # opened, nothing saved
    save_lesson(world, reg, reg.math3, {}, topic="Ułamki")
    grade_services.classification_grade_set(
        actor=world.user("teacher_in"),
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term2,
        kind="final",
        is_proposal=False,
        grade=5,
    )
    grade_services.behaviour_grade_set(
        actor=world.user("class_teacher"),
        student=world.student,
        school_class=world.school_class,
        term=world.term2,
        kind="final",
        value="bdb",
    )
    return untitled, unopened


def test_the_checks_list_what_is_missing(world, scene):
    untitled, unopened = scene
    viewer = get_viewer(world.user("principal"))
    with translation.override("en"):
        checks = {c.key: c for c in selectors.year_close_checks(viewer, world.year).checks}
    day = untitled.date.strftime("%d.%m.%Y")

    # A lesson opened but never saved has neither topic nor attendance.
    assert checks["topics"].count == 2
    assert [(i.label, i.url) for i in checks["topics"].items] == [
        (f"{day}, lesson 1: Historia, 4a", reverse("attendance:lesson", args=[unopened.pk])),
        (f"{day}, lesson 2: Matematyka, 4a", reverse("attendance:lesson", args=[untitled.pk])),
    ]
    assert checks["attendance"].count == 1
    assert [i.url for i in checks["attendance"].items] == [
        reverse("attendance:lesson", args=[unopened.pk])
    ]
    # Zofia has her annual grade in Matematyka, Kacper none; Historia: neither.
    assert checks["annual_grades"].count == 3
    assert [(i.label, i.count) for i in checks["annual_grades"].items] == [
        ("4a, Historia", 2),
        ("4a, Matematyka", 1),
    ]
    assert checks["annual_grades"].items[1].url == reverse(
        "grades:classification", args=[world.school_class.pk, world.subject.pk]
    )
    # 4a: Kacper lacks the behaviour grade; 4b has no students.
    assert checks["behaviour_grades"].count == 1
    assert [(i.label, i.url) for i in checks["behaviour_grades"].items] == [
        (
            "4a: 1 students without the grade",
            reverse("grades:behaviour", args=[world.school_class.pk]),
        )
    ]


def test_closing_with_missing_entries_needs_a_reason(world, scene):
    principal = world.user("principal")
    with pytest.raises(ValidationError) as caught:
        services.year_close_start(actor=principal, school_year=world.year)
    assert caught.value.message_dict["override_reason"]
    world.year.refresh_from_db()
    assert not world.year.is_closed
    assert not YearArchive.objects.exists()

    archive = services.year_close_start(
        actor=principal, school_year=world.year, override_reason="Nauczyciel na zwolnieniu"
    )
    world.year.refresh_from_db()
    assert world.year.is_closed
    assert archive.override_reason == "Nauczyciel na zwolnieniu"
    assert archive.missing == {
        "topics": 2,
        "attendance": 1,
        "annual_grades": 3,
        "behaviour_grades": 1,
    }
    # A second click finds the close under way.
    again = services.year_close_start(actor=principal, school_year=world.year)
    assert again.pk == archive.pk


@pytest.mark.parametrize("role", ["secretary", "teacher_in", "class_teacher", "other_principal"])
def test_only_the_principal_sees_the_checks(world, role):
    with pytest.raises(Http404):
        selectors.year_close_checks(get_viewer(world.user(role)), world.year)
