"""Building classes full of graded students for page and query-count tests."""

from __future__ import annotations

import re

from dziennik.grades import services
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf

from .conftest import add_column


def fill_class(world, size: int) -> list[sm.Student]:
    """Make 4a have ``size`` students (the world's two plus new ones); return them all."""
    students = [world.student, world.classmate]
    for n in range(len(students), size):
        student = sf.StudentFactory(school=world.school, first_name="Uczeń", last_name=f"Nr{n}")
        sf.EnrolmentFactory(student=student, school_class=world.school_class, journal_number=n + 1)
        students.append(student)
    return students[:size]


def grade_all(world, students, symbols, *, columns=1, subject=None, teacher=None):
    """``columns`` new columns, each with ``symbols[i]`` for student i."""
    teacher = teacher or world.user("teacher_in")
    made = []
    for c in range(columns):
        column = add_column(world, name=f"Kartkówka {c + 1}", days=10 + c)
        if subject is not None:
            column.subject = subject
            column.save()
        for student, symbol in zip(students, symbols, strict=False):
            services.grade_set(actor=teacher, assessment=column, student=student, raw=symbol)
        made.append(column)
    return made


def data_values(html: str, css_class: str) -> list[str]:
    return re.findall(rf'class="{css_class}"[^>]*data-value="([^"]*)"', html)
