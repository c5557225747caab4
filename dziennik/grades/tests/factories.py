"""Factories of the grades models: rows written directly, without the services (no
history, no stored averages). Tests of behaviour go through the services; these build
the data around them (``grades/tests/conftest.py`` has the service-made ``column``)."""

import datetime
from decimal import Decimal

import factory

from dziennik.accounts.tests.factories import UserFactory
from dziennik.grades import models
from dziennik.schools.tests import factories as sf


class GradingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GradingSettings
        django_get_or_create = ("school",)

    school = factory.SubFactory(sf.SchoolFactory)


class GradeCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GradeCategory
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(sf.SchoolFactory)
    name = factory.Sequence(lambda n: f"Kategoria {n}")
    weight = Decimal(2)


class SpecialMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SpecialMark

    school = factory.SubFactory(sf.SchoolFactory)
    symbol = factory.Sequence(lambda n: f"s{n}")
    name = "znak specjalny"
    rule = models.SpecialMark.Rule.IGNORED


class PointScaleStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PointScaleStep

    school = factory.SubFactory(sf.SchoolFactory)
    min_percent = Decimal(50)
    symbol = "3"


class AverageThresholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AverageThreshold

    school = factory.SubFactory(sf.SchoolFactory)
    grade = 3
    min_average = Decimal("2.75")


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A column of a class's gradebook, dated ten days into its term."""

    class Meta:
        model = models.Assessment

    school_class = factory.SubFactory(sf.SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    subject = factory.SubFactory(sf.SubjectFactory, school=factory.SelfAttribute("..school"))
    term = factory.SubFactory(
        sf.TermFactory, school_year=factory.SelfAttribute("..school_class.school_year")
    )
    teacher = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    category = factory.SubFactory(
        GradeCategoryFactory, school=factory.SelfAttribute("..school"), name="Kartkówka"
    )
    name = factory.Sequence(lambda n: f"Kartkówka {n + 1}")
    date = factory.LazyAttribute(lambda o: o.term.start_date + datetime.timedelta(days=10))
    weight = factory.LazyAttribute(lambda o: o.category.weight)


class GradeFactory(factory.django.DjangoModelFactory):
    """A grade of ``symbol`` (worth ``value``) of a student of the column's school."""

    class Meta:
        model = models.Grade

    assessment = factory.SubFactory(AssessmentFactory)
    school = factory.SelfAttribute("assessment.school")
    student = factory.SubFactory(sf.StudentFactory, school=factory.SelfAttribute("..school"))
    symbol = "4"
    value = Decimal(4)
    teacher = factory.SelfAttribute("assessment.teacher")


class ClassificationGradeFactory(factory.django.DjangoModelFactory):
    """A term grade (``kind``, ``is_proposal`` to change) of 4."""

    class Meta:
        model = models.ClassificationGrade

    school_class = factory.SubFactory(sf.SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    student = factory.SubFactory(sf.StudentFactory, school=factory.SelfAttribute("..school"))
    subject = factory.SubFactory(sf.SubjectFactory, school=factory.SelfAttribute("..school"))
    term = factory.SubFactory(
        sf.TermFactory, school_year=factory.SelfAttribute("..school_class.school_year")
    )
    kind = models.ClassificationGrade.Kind.TERM
    is_proposal = False
    grade = 4


class BehaviourGradeFactory(factory.django.DjangoModelFactory):
    """A term behaviour grade: very good (*bardzo dobre*)."""

    class Meta:
        model = models.BehaviourGrade

    school_class = factory.SubFactory(sf.SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    student = factory.SubFactory(sf.StudentFactory, school=factory.SelfAttribute("..school"))
    term = factory.SubFactory(
        sf.TermFactory, school_year=factory.SelfAttribute("..school_class.school_year")
    )
    kind = models.BehaviourGrade.Kind.TERM
    value = models.BehaviourGrade.Value.VERY_GOOD


class StudentAverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StudentAverage

    school_class = factory.SubFactory(sf.SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    student = factory.SubFactory(sf.StudentFactory, school=factory.SelfAttribute("..school"))
    subject = factory.SubFactory(sf.SubjectFactory, school=factory.SelfAttribute("..school"))
    term = factory.SubFactory(
        sf.TermFactory, school_year=factory.SelfAttribute("..school_class.school_year")
    )
    average = Decimal("4.00")


class GradeVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GradeVisit

    user = factory.SubFactory(UserFactory)
    student = factory.SubFactory(sf.StudentFactory)
    seen_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
