"""Fixtures for the accounts tests: the world's class 4a filled with families to letter."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf


@dataclass
class LetterClass:
    """Class 4a of the world, extended with people who have no account yet.

    Students: 1 Zofia Wiśniewska (has an account), 2 Kacper Dąbrowski, 3 Łucja Żółkiewska,
    4 Tymon Żółkiewski (twins). Łucja and Tymon's brother Ignacy is in 4b.
    Guardians: Anna Wiśniewska and Marek Dąbrowski (accounts), Małgorzata Dąbrowska
    (none), Ewa Żółkiewska (none, mother of the three Żółkiewscy), Jerzy Żółkiewski
    (none, access limited by a court: never gets an account).
    """

    lucja: sm.Student
    tymon: sm.Student
    ignacy: sm.Student
    malgorzata: sm.Guardian
    ewa: sm.Guardian
    jerzy: sm.Guardian


def add_letter_families(world) -> LetterClass:
    school = world.school
    family = sm.Family.objects.create(school=school, name="Żółkiewscy")
    lucja = sf.StudentFactory(
        school=school, first_name="Łucja", last_name="Żółkiewska", family=family
    )
    tymon = sf.StudentFactory(
        school=school, first_name="Tymon", last_name="Żółkiewski", family=family
    )
    ignacy = sf.StudentFactory(
        school=school, first_name="Ignacy", last_name="Żółkiewski", family=family
    )
    sf.EnrolmentFactory(student=lucja, school_class=world.school_class, journal_number=3)
    sf.EnrolmentFactory(student=tymon, school_class=world.school_class, journal_number=4)
    sf.EnrolmentFactory(student=ignacy, school_class=world.other_class, journal_number=1)
    ewa = sf.GuardianFactory(school=school, first_name="Ewa", last_name="Żółkiewska", family=family)
    jerzy = sf.GuardianFactory(
        school=school, first_name="Jerzy", last_name="Żółkiewski", family=family
    )
    for child in (lucja, tymon, ignacy):
        sf.GuardianshipFactory(guardian=ewa, student=child)
        sf.GuardianshipFactory(
            guardian=jerzy,
            student=child,
            relation=sm.Guardianship.Relation.FATHER,
            access=sm.Guardianship.Access.COURT_LIMITED,
            court_order_reference="III RC 123/25",
        )
    malgorzata = sf.GuardianFactory(
        school=school,
        first_name="Małgorzata",
        last_name="Dąbrowska",
        family=world.classmate.family,
    )
    sf.GuardianshipFactory(guardian=malgorzata, student=world.classmate)
    return LetterClass(
        lucja=lucja, tymon=tymon, ignacy=ignacy, malgorzata=malgorzata, ewa=ewa, jerzy=jerzy
    )


@pytest.fixture
def letter_class(world) -> LetterClass:
    return add_letter_families(world)
