"""The default period of the attendance pages: the running school year and its terms."""

import datetime

from dziennik.attendance import selectors
from dziennik.schools.models import SchoolYear, Term
from testsupport.world import cold_queries


def test_year_with_terms_in_one_query(world):
    day = world.term1.start_date + datetime.timedelta(days=10)
    with cold_queries() as ctx:
        year, terms = selectors.year_and_terms(world.school.pk, day)
    assert len(ctx.captured_queries) == 1
    assert year == world.year
    assert [t.pk for t in terms] == [world.term1.pk, world.term2.pk]


def test_year_without_terms_and_no_year(world):
    day = world.term1.start_date + datetime.timedelta(days=10)
    Term.objects.filter(school_year=world.year).delete()
    year, terms = selectors.year_and_terms(world.school.pk, day)
    assert (year, terms) == (world.year, [])
    year = SchoolYear.objects.get(pk=world.year.pk)
    year.start_date = day + datetime.timedelta(days=1)
    year.end_date = day + datetime.timedelta(days=300)
    year.save()  # a saved year moves the cached answer on
    assert selectors.year_and_terms(world.school.pk, day) == (None, [])


def test_terms_of_the_running_year_only(world):
    """Another school's year, and a finished year of the same school, are left out."""
    day = world.term1.start_date + datetime.timedelta(days=10)
    start = day.replace(year=day.year - 1) - datetime.timedelta(days=10)
    end = day.replace(year=day.year - 1) + datetime.timedelta(days=200)
    old = SchoolYear.objects.create(
        school=world.school,
        name="old",
        start_date=start,
        end_date=end,
        classes_start=start,
        classes_end=end,
    )
    Term.objects.create(school_year=old, number=1, start_date=old.start_date, end_date=old.end_date)
    year, terms = selectors.year_and_terms(world.school.pk, day)
    assert year == world.year
    assert {t.school_year_id for t in terms} == {world.year.pk}
