import datetime
from decimal import Decimal

import pytest

from dziennik.grades import services
from dziennik.grades.models import Assessment, GradeCategory


@pytest.fixture
def grading(world):
    """The world's school with the default statute rules."""
    return services.grading_setup_defaults(school=world.school)


def category(school, name="Sprawdzian") -> GradeCategory:
    return GradeCategory.objects.get(school=school, name=name)


def in_term(world, days: int = 10) -> datetime.date:
    return world.term1.start_date + datetime.timedelta(days=days)


@pytest.fixture
def column(world, grading):
    """A math test in 4a, weight 3, with Zofia's 4+ and Kacper's 2."""
    teacher = world.user("teacher_in")
    assessment = services.assessment_create(
        actor=teacher,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        name="Sprawdzian – ułamki",
        date=in_term(world),
        category=category(world.school),
    )
    services.grade_set(actor=teacher, assessment=assessment, student=world.student, raw="4+")
    services.grade_set(actor=teacher, assessment=assessment, student=world.classmate, raw="2")
    return assessment


def add_column(world, *, name="Kartkówka", cat="Kartkówka", weight=None, days=12, **extra):
    return services.assessment_create(
        actor=world.user("teacher_in"),
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        name=name,
        date=in_term(world, days),
        category=category(world.school, cat),
        weight=Decimal(weight) if weight is not None else None,
        **extra,
    )


@pytest.fixture
def today(monkeypatch):
    """Pin the school's calendar day for the code under test: ``today(date)``.

    The world's school year follows the real date, so tests about deadlines inside it
    choose the day instead of depending on when they run.
    """
    from django.utils import timezone as tz

    real = tz.localdate

    def pin(day: datetime.date) -> None:
        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr(tz, "localdate", localdate)

    return pin


__all__ = ["Assessment", "add_column", "category", "in_term"]
