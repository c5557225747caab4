"""Demo grades: every class and subject gets a believable, reproducible gradebook."""

import datetime
import random

from dziennik.demo.context import DemoContext
from dziennik.grades import demo
from dziennik.grades.models import Assessment, ClassificationGrade, Grade, StudentAverage
from dziennik.grades.rules import weighted_average
from dziennik.grades.selectors import entry_for, load_rules
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf


def context(world, seed: int) -> DemoContext:
    young = sf.SchoolClassFactory(school=world.school, school_year=world.year, name="2a", level=2)
    pupils = []
    for n in range(6):
        pupil = sf.StudentFactory(school=world.school, first_name="Ala", last_name=f"Mała{n}")
        sf.EnrolmentFactory(student=pupil, school_class=young, journal_number=n + 1)
        pupils.append(pupil)
    sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=world.user("class_teacher"),
        subject=world.subject,
        school_class=young,
    )
    today = world.term2.start_date + datetime.timedelta(days=20)
    days = []
    day = world.year.start_date
    while day <= today:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    classes = [world.school_class, world.other_class, young]
    return DemoContext(
        school=world.school,
        year=world.year,
        terms=[world.term1, world.term2],
        classes=classes,
        students_by_class={
            c.pk: [
                e.student
                for e in sm.Enrolment.objects.filter(school_class=c).order_by("journal_number")
            ]
            for c in classes
        },
        subjects=[world.subject, world.other_subject],
        teachers=[world.user("teacher_in")],
        assignments=list(sm.TeachingAssignment.objects.filter(school=world.school)),
        lesson_slots=[],
        school_days=days,
        today=today,
        rng=random.Random(seed),
    )


def test_demo_grades(world):
    ctx = context(world, 7)
    demo.populate(ctx)
    # every assignment got columns in both terms so far
    for a in ctx.assignments:
        for term in ctx.terms:
            assert Assessment.objects.filter(
                school_class=a.school_class, subject=a.subject, term=term
            ).exists()
    young = ctx.classes[2]
    assert not Grade.objects.filter(
        assessment__school_class=young, assessment__kind="standard"
    ).exists()
    assert Grade.objects.filter(assessment__school_class=young).exclude(text="").exists()
    assert not Assessment.objects.filter(category__is_homework=True).exists()  # G-07
    assert Grade.objects.filter(student=world.student).exists()
    # stored averages agree with the rules
    rules = load_rules(world.school.pk)
    sample = StudentAverage.objects.filter(student=world.student).first()
    grades = Grade.objects.filter(
        student=world.student,
        assessment__subject_id=sample.subject_id,
        assessment__term_id=sample.term_id,
    ).select_related("assessment__category")
    entries = [
        entry_for(g, g.assessment, g.assessment.category.counts_towards_average) for g in grades
    ]
    assert weighted_average(entries, rules) == sample.average
    # term 1 is over: term grades exist, descriptive in class 2
    assert sm.Student.objects.filter(classification_grades__term=world.term1).exists()
    assert not young.enrolments.filter(student__classification_grades__grade__isnull=False).exists()


def test_demo_is_reproducible(world):
    demo.populate(context(world, 11))
    first = list(Grade.objects.order_by("pk").values_list("student_id", "symbol", "points", "text"))
    assert len(first) > 20
    Grade.objects.all().delete()
    Assessment.objects.all().delete()
    StudentAverage.objects.all().delete()
    from dziennik.grades.models import BehaviourGrade, ClassificationGrade

    ClassificationGrade.objects.all().delete()
    BehaviourGrade.objects.all().delete()
    sm.SchoolClass.objects.filter(name="2a").delete()
    demo.populate(context(world, 11))
    second = list(
        Grade.objects.order_by("pk").values_list("student_id", "symbol", "points", "text")
    )
    assert [g[1:] for g in first] == [g[1:] for g in second]


def test_demo_shows_the_other_outcomes(world):
    """The first class from 4 up: its first student exempt from PE, its second not
    classified (for absence) in the first other subject (G-11)."""
    pe = sf.SubjectFactory(school=world.school, name="Wychowanie fizyczne")
    sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=world.user("teacher_in"),
        subject=pe,
        school_class=world.school_class,
    )
    ctx = context(world, 5)
    ctx.subjects.append(pe)
    demo.populate(ctx)
    outcomes = set(
        ClassificationGrade.objects.exclude(outcome="").values_list(
            "student__first_name", "subject__name", "outcome", "reason", "kind", "is_proposal"
        )
    )
    assert outcomes == {
        ("Zofia", "Wychowanie fizyczne", "zw", "", "term", False),
        ("Kacper", "Historia", "nkl", "absence", "term", False),
    }
