"""The school calendar, checked against dates worked out by hand from a paper calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dziennik.core.models import AuditEntry
from dziennik.schools import calendar
from dziennik.schools.models import DayOff, LessonSlot, Voivodeship
from dziennik.schools.services import bell_schedule_create_default, school_year_create
from dziennik.schools.tests.factories import SchoolFactory

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28))],
)
def test_easter(year, easter):
    assert calendar.easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("start_year", "first_day"),
    [
        (2023, D(2023, 9, 4)),  # 1 September a Friday: the next Monday
        (2024, D(2024, 9, 2)),  # a Sunday
        (2025, D(2025, 9, 1)),  # a Monday
        (2026, D(2026, 9, 1)),  # a Tuesday
        (2029, D(2029, 9, 3)),  # a Saturday
    ],
)
def test_first_lesson_day(start_year, first_day):
    assert calendar.classes_start(start_year) == first_day


@pytest.mark.parametrize(
    ("start_year", "last_day"),
    [
        (2024, D(2025, 6, 27)),  # 20 June 2025 is itself a Friday: the one after
        (2025, D(2026, 6, 26)),
        (2026, D(2027, 6, 25)),
    ],
)
def test_last_lesson_day(start_year, last_day):
    assert calendar.classes_end(start_year) == last_day


def test_national_holidays_2026_27():
    days = dict((name, day) for name, day in calendar.national_holidays(2026))
    assert days["Poniedziałek Wielkanocny"] == D(2027, 3, 29)
    assert days["Boże Ciało"] == D(2027, 5, 27)
    assert days["Wigilia Bożego Narodzenia"] == D(2026, 12, 24)
    assert days["Wniebowzięcie Najświętszej Maryi Panny"] == D(2027, 8, 15)
    assert len(days) == 12


def test_wigilia_is_a_holiday_only_from_2025():
    names = [name for name, _ in calendar.national_holidays(2024)]
    assert "Wigilia Bożego Narodzenia" not in names
    assert len(names) == 11


def _ranges(plan, kind):
    return [(d.date_from, d.date_to) for d in plan.days_off if d.kind == kind]


@pytest.mark.django_db
def test_year_2025_26_in_mazowieckie():
    school = SchoolFactory(voivodeship=Voivodeship.MAZOWIECKIE)
    plan = school_year_create(actor=None, school=school, start_year=2025)
    year = plan.year
    assert (year.name, year.start_date, year.end_date) == (
        "2025/2026",
        D(2025, 9, 1),
        D(2026, 8, 31),
    )
    assert (year.classes_start, year.classes_end) == (D(2025, 9, 1), D(2026, 6, 26))
    assert [(t.number, t.start_date, t.end_date) for t in year.terms.all()] == [
        (1, D(2025, 9, 1), D(2026, 1, 18)),
        (2, D(2026, 1, 19), D(2026, 8, 31)),
    ]
    assert _ranges(plan, DayOff.Kind.CHRISTMAS_BREAK) == [(D(2025, 12, 22), D(2025, 12, 31))]
    assert _ranges(plan, DayOff.Kind.SPRING_BREAK) == [(D(2026, 4, 2), D(2026, 4, 7))]
    assert _ranges(plan, DayOff.Kind.WINTER_HOLIDAYS) == [(D(2026, 1, 19), D(2026, 2, 1))]
    assert plan.winter_holidays_known
    assert DayOff.objects.filter(school_year=year).count() == 12 + 3

    days = calendar.lesson_days(year)
    by_month = {}
    for day in days:
        by_month[(day.year, day.month)] = by_month.get((day.year, day.month), 0) + 1
    assert by_month[(2025, 9)] == 22
    # 2 Jan; 5, 7, 8, 9 Jan (6 Jan a holiday); 12–16 Jan; ferie from 19 Jan.
    assert by_month[(2026, 1)] == 10
    assert by_month[(2026, 2)] == 20
    # 1 April; the spring break 2–7 April; 8–10, 13–17, 20–24, 27–30 April.
    assert by_month[(2026, 4)] == 18
    # Corpus Christi 4 June; lessons end on Friday 26 June.
    assert by_month[(2026, 6)] == 19
    assert days[0] == D(2025, 9, 1) and days[-1] == D(2026, 6, 26)
    assert D(2025, 12, 22) not in days and D(2025, 12, 19) in days
    assert D(2026, 1, 2) in days


@pytest.mark.django_db
def test_year_2026_27_without_known_ferie():
    school = SchoolFactory(voivodeship=Voivodeship.MAZOWIECKIE)
    plan = school_year_create(actor=None, school=school, start_year=2026)
    year = plan.year
    assert (year.classes_start, year.classes_end) == (D(2026, 9, 1), D(2027, 6, 25))
    assert [(t.start_date, t.end_date) for t in year.terms.all()] == [
        (D(2026, 9, 1), D(2027, 1, 31)),
        (D(2027, 2, 1), D(2027, 8, 31)),
    ]
    # The ferie 2026/27 are not in the data table: the secretary enters them.
    assert not plan.winter_holidays_known
    assert _ranges(plan, DayOff.Kind.WINTER_HOLIDAYS) == []
    assert _ranges(plan, DayOff.Kind.CHRISTMAS_BREAK) == [(D(2026, 12, 23), D(2026, 12, 31))]
    assert _ranges(plan, DayOff.Kind.SPRING_BREAK) == [(D(2027, 3, 25), D(2027, 3, 30))]
    # September 22, October 22, November 20 (11 November a Wednesday), December 16.
    assert len(calendar.lesson_days(year, until=D(2026, 9, 30))) == 22
    assert len(calendar.lesson_days(year, until=D(2026, 11, 30))) == 64
    assert len(calendar.lesson_days(year, until=D(2026, 12, 31))) == 80
    # Before the first lesson day there are none.
    assert calendar.lesson_days(year, until=D(2026, 8, 31)) == []

    assert calendar.is_lesson_day(school, D(2026, 11, 30))
    assert not calendar.is_lesson_day(school, D(2026, 11, 11))  # Independence Day
    assert not calendar.is_lesson_day(school, D(2026, 11, 28))  # Saturday
    assert not calendar.is_lesson_day(school, D(2027, 3, 26))  # spring break
    assert not calendar.is_lesson_day(school, D(2027, 5, 27))  # Corpus Christi
    assert not calendar.is_lesson_day(school, D(2027, 6, 28))  # summer holidays
    assert not calendar.is_lesson_day(SchoolFactory(), D(2026, 11, 30))  # no year at all


@pytest.mark.django_db
def test_ferie_only_where_known():
    school = SchoolFactory(voivodeship=Voivodeship.SLASKIE)
    plan = school_year_create(actor=None, school=school, start_year=2025)
    assert not plan.winter_holidays_known
    assert [(t.end_date) for t in plan.terms] == [D(2026, 1, 31), D(2026, 8, 31)]
    by_january = [d for d in calendar.lesson_days(plan.year) if d.month == 1]
    assert len(by_january) == 20


@pytest.mark.django_db
def test_school_sets_term_boundaries_and_history_is_recorded():
    school = SchoolFactory()
    plan = school_year_create(
        actor=None, school=school, start_year=2026, term_boundaries=[D(2027, 1, 15)]
    )
    assert [(t.number, t.end_date) for t in plan.terms] == [
        (1, D(2027, 1, 15)),
        (2, D(2027, 8, 31)),
    ]
    assert plan.terms[1].start_date == D(2027, 1, 16)
    # One entry for the year, the terms and every day off.
    assert AuditEntry.objects.filter(school=school, action="create").count() == 1 + 2 + 14


@pytest.mark.django_db
@pytest.mark.parametrize("boundary", [D(2026, 8, 1), D(2027, 8, 31), D(2028, 1, 1)])
def test_bad_term_boundary_creates_nothing(boundary):
    school = SchoolFactory()
    with pytest.raises(ValidationError):
        school_year_create(actor=None, school=school, start_year=2026, term_boundaries=[boundary])
    assert not school.school_years.exists()
    assert not AuditEntry.objects.filter(school=school).exists()


@pytest.mark.django_db
def test_year_cannot_be_created_twice():
    school = SchoolFactory()
    school_year_create(actor=None, school=school, start_year=2026)
    with pytest.raises(ValidationError):
        school_year_create(actor=None, school=school, start_year=2026)
    assert school.school_years.count() == 1


@pytest.mark.django_db
def test_default_bell_schedule():
    school = SchoolFactory()
    slots = bell_schedule_create_default(actor=None, school=school)
    rows = list(
        LessonSlot.objects.filter(school=school).values_list("number", "starts_at", "ends_at")
    )
    assert [n for n, _, _ in rows] == list(range(0, 9))
    assert rows[0][1:] == (datetime.time(7, 10), datetime.time(7, 55))
    assert rows[1][1:] == (datetime.time(8, 0), datetime.time(8, 45))
    assert rows[8][1:] == (datetime.time(14, 40), datetime.time(15, 25))
    assert len(slots) == 9
    with pytest.raises(ValidationError):
        bell_schedule_create_default(actor=None, school=school)


@pytest.mark.django_db
def test_lesson_days_cost_one_query_whatever_the_year(django_assert_num_queries):
    school = SchoolFactory()
    year = school_year_create(actor=None, school=school, start_year=2026).year
    with django_assert_num_queries(1):
        assert len(calendar.lesson_days(year, until=D(2026, 9, 30))) == 22
    with django_assert_num_queries(1):
        full = calendar.lesson_days(year)
    assert full[-1] == D(2027, 6, 25)
    with django_assert_num_queries(2):
        calendar.is_lesson_day(school, D(2026, 11, 30))
