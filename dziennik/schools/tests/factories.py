import datetime

import factory
from django.utils import timezone

from dziennik.accounts.tests.factories import UserFactory
from dziennik.schools import models


def school_year_start(day: datetime.date | None = None) -> datetime.date:
    day = day or timezone.localdate()
    year = day.year if day.month >= 9 else day.year - 1
    return datetime.date(year, 9, 1)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.School

    name = factory.Sequence(lambda n: f"Szkoła Podstawowa nr {n + 1}")
    school_type = models.School.Type.PRIMARY
    is_public = True
    voivodeship = models.Voivodeship.MAZOWIECKIE
    city = "Warszawa"


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SchoolYear

    school = factory.SubFactory(SchoolFactory)
    start_date = factory.LazyFunction(school_year_start)
    end_date = factory.LazyAttribute(lambda o: datetime.date(o.start_date.year + 1, 8, 31))
    classes_start = factory.LazyAttribute(lambda o: o.start_date)
    classes_end = factory.LazyAttribute(lambda o: datetime.date(o.start_date.year + 1, 6, 25))
    name = factory.LazyAttribute(lambda o: f"{o.start_date.year}/{o.start_date.year + 1}")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Term

    school_year = factory.SubFactory(SchoolYearFactory)
    number = 1
    start_date = factory.LazyAttribute(lambda o: o.school_year.start_date)
    end_date = factory.LazyAttribute(
        lambda o: datetime.date(o.school_year.start_date.year + 1, 1, 31)
    )


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subject

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Przedmiot {n}")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SchoolClass

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory, school=factory.SelfAttribute("..school"))
    name = factory.Sequence(lambda n: f"{4 + n % 5}{'abcdefgh'[n % 8]}{n}")
    level = 4


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Student

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    birth_date = datetime.date(2015, 5, 17)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Enrolment

    student = factory.SubFactory(StudentFactory)
    school_class = factory.SubFactory(
        SchoolClassFactory, school=factory.SelfAttribute("..student.school")
    )
    journal_number = factory.Sequence(lambda n: n + 1)
    start_date = factory.LazyAttribute(lambda o: o.school_class.school_year.start_date)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Guardian

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Guardianship

    guardian = factory.SubFactory(GuardianFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..guardian.school"))
    relation = models.Guardianship.Relation.MOTHER


class TeachingAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TeachingAssignment

    school = factory.SelfAttribute("school_class.school")
    teacher = factory.SubFactory(UserFactory)
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    school_class = factory.SubFactory(SchoolClassFactory)
