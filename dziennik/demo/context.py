"""The contract between the ``demo`` command and the apps that add demo data.

The ``demo`` command (``schools/management/commands/demo.py``) builds the school, its
people and structure, then calls ``populate(ctx)`` in every module ``dziennik.<app>.demo``
that exists, in INSTALLED_APPS order (timetable before attendance before grades). Each
``populate`` adds that app's data for the school days so far this year, uses only
``ctx.rng`` for randomness (so a seed reproduces the school), writes in bulk, and calls
``ctx.progress`` now and then.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from dziennik.accounts.models import User
from dziennik.schools.models import (
    LessonSlot,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)


@dataclass
class DemoContext:
    school: School
    year: SchoolYear
    terms: list[Term]
    classes: list[SchoolClass]
    students_by_class: dict[int, list[Student]]  # class id -> students in journal order
    subjects: list[Subject]
    teachers: list[User]
    assignments: list[TeachingAssignment]
    lesson_slots: list[LessonSlot]
    school_days: list[datetime.date]  # lesson days from the start of the year up to today
    today: datetime.date
    rng: random.Random
    progress: Callable[[str], None] = field(default=lambda message: None)
    # Accounts the README names (may be absent in a scaled school other than the first).
    fixed_users: dict[str, User] = field(default_factory=dict)
