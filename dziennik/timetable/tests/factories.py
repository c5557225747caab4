"""Test data for the timetable: lesson numbers, rooms, weekly lessons and their changes.

Each factory builds what it needs in one school: ``TimetableEntryFactory(school_class=…)``
puts the lesson number, subject and teacher in the class's school, and
``TimetableChangeFactory(entry=…)`` changes the entry's first occurrence.
"""

from __future__ import annotations

import datetime

import factory

from dziennik.accounts.tests.factories import UserFactory
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from dziennik.timetable import models


def first_occurrence(entry: models.TimetableEntry) -> datetime.date:
    """The first date the weekly lesson takes place: its first day or the next one with
    its weekday."""
    return entry.valid_from + datetime.timedelta(
        days=(entry.weekday - entry.valid_from.isoweekday()) % 7
    )


class LessonSlotFactory(factory.django.DjangoModelFactory):
    """A lesson number of the bell schedule; the same number of a school is reused."""

    class Meta:
        model = sm.LessonSlot
        django_get_or_create = ("school", "number")

    school = factory.SubFactory(sf.SchoolFactory)
    number = factory.Sequence(lambda n: n % 8 + 1)
    starts_at = factory.LazyAttribute(lambda o: datetime.time(7 + o.number, 0))
    ends_at = factory.LazyAttribute(lambda o: datetime.time(7 + o.number, 45))


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Room

    school = factory.SubFactory(sf.SchoolFactory)
    name = factory.Sequence(lambda n: f"{n + 10}")


class TimetableEntryFactory(factory.django.DjangoModelFactory):
    """A weekly lesson of a class on Mondays from the start of the class's school year."""

    class Meta:
        model = models.TimetableEntry

    school_class = factory.SubFactory(sf.SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    weekday = models.Weekday.MONDAY
    slot = factory.SubFactory(LessonSlotFactory, school=factory.SelfAttribute("..school"))
    subject = factory.SubFactory(sf.SubjectFactory, school=factory.SelfAttribute("..school"))
    teacher = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    room = None
    valid_from = factory.LazyAttribute(lambda o: o.school_class.school_year.start_date)
    valid_to = None


class TimetableChangeFactory(factory.django.DjangoModelFactory):
    """A cancellation of the entry's first occurrence (pass ``kind`` and its fields for a
    substitution or a move)."""

    class Meta:
        model = models.TimetableChange

    entry = factory.SubFactory(TimetableEntryFactory)
    school = factory.SelfAttribute("entry.school")
    date = factory.LazyAttribute(lambda o: first_occurrence(o.entry))
    kind = models.TimetableChange.Kind.CANCELLATION
