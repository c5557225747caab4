"""The school calendar: lesson days, national holidays, breaks and the default bell grid.

Pure date arithmetic plus two small reads (``lesson_days``, ``is_lesson_day``). Writing a
school year goes through ``dziennik.schools.services.school_year_create``, which saves
what ``plan_school_year`` computes here.

Sources (``/work/shared/domain/polish-domain.md``): C-01 (year 1 Sep – 31 Aug; lessons
from the first weekday of September, from the next Monday when 1 September is a Friday
or Saturday; lessons end on the first Friday after 20 June), C-02 (two terms whose
dates the school sets), C-03 (breaks; ferie zimowe per voivodeship), C-06 (bell grid).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import DayOff, LessonSlot, School, SchoolYear, Term, Voivodeship

ONE_DAY = datetime.timedelta(days=1)
MONDAY, FRIDAY = 0, 4

# Ferie zimowe (C-03): the minister sets them per voivodeship for each school year.
# Keyed by the calendar year in which the school year starts. Only dates that the domain
# notes source are listed; for any other year or voivodeship the secretary enters the
# winter holidays as a day-off range herself.
WINTER_HOLIDAYS: dict[int, dict[str, tuple[datetime.date, datetime.date]]] = {
    2025: {
        voivodeship: (datetime.date(2026, 1, 19), datetime.date(2026, 2, 1))
        for voivodeship in (
            Voivodeship.MAZOWIECKIE,
            Voivodeship.POMORSKIE,
            Voivodeship.PODLASKIE,
            Voivodeship.SWIETOKRZYSKIE,
            Voivodeship.WARMINSKO_MAZURSKIE,
        )
    },
}

# Zimowa przerwa świąteczna: 23–31 December (ORS § 3); the 2025/26 calendar started it on
# 22 December (C-03). Years listed here override the rule.
CHRISTMAS_BREAK_START: dict[int, datetime.date] = {2025: datetime.date(2025, 12, 22)}

# Wigilia (24 December) is a public holiday from 2025 (amendment of the act on public
# holidays, in force since 1 February 2025).
WIGILIA_FROM_YEAR = 2025

# C-06: lesson 0 about 7:10–7:55, then the grid of one real school.
DEFAULT_BELLS: tuple[tuple[int, str, str], ...] = (
    (0, "07:10", "07:55"),
    (1, "08:00", "08:45"),
    (2, "08:55", "09:40"),
    (3, "09:50", "10:35"),
    (4, "10:45", "11:30"),
    (5, "11:50", "12:35"),
    (6, "12:50", "13:35"),
    (7, "13:45", "14:30"),
    (8, "14:40", "15:25"),
    (9, "15:35", "16:20"),
    (10, "16:30", "17:15"),
)


def easter_sunday(year: int) -> datetime.date:
    """Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def classes_start(start_year: int) -> datetime.date:
    """First day of lessons: the first weekday of September, or the Monday after
    1 September when that is a Friday, Saturday or Sunday (C-01, ORS § 2 ust. 1)."""
    first = datetime.date(start_year, 9, 1)
    if first.weekday() >= FRIDAY:
        return first + datetime.timedelta(days=7 - first.weekday())
    return first


def classes_end(start_year: int) -> datetime.date:
    """Last day of lessons: the first Friday after 20 June (C-01, ORS § 2 ust. 1)."""
    day = datetime.date(start_year + 1, 6, 21)
    return day + datetime.timedelta(days=(FRIDAY - day.weekday()) % 7)


def national_holidays(start_year: int) -> list[tuple[str, datetime.date]]:
    """Public holidays (dni ustawowo wolne od pracy) inside the school year, in date order.

    Easter Sunday and Pentecost always fall on a Sunday and are left out.
    """
    y1, y2 = start_year, start_year + 1
    easter = easter_sunday(y2)
    days = [
        ("Wszystkich Świętych", datetime.date(y1, 11, 1)),
        ("Narodowe Święto Niepodległości", datetime.date(y1, 11, 11)),
        ("Boże Narodzenie (pierwszy dzień)", datetime.date(y1, 12, 25)),
        ("Boże Narodzenie (drugi dzień)", datetime.date(y1, 12, 26)),
        ("Nowy Rok", datetime.date(y2, 1, 1)),
        ("Święto Trzech Króli", datetime.date(y2, 1, 6)),
        ("Poniedziałek Wielkanocny", easter + ONE_DAY),
        ("Święto Pracy", datetime.date(y2, 5, 1)),
        ("Święto Narodowe Trzeciego Maja", datetime.date(y2, 5, 3)),
        ("Boże Ciało", easter + datetime.timedelta(days=60)),
        ("Wniebowzięcie Najświętszej Maryi Panny", datetime.date(y2, 8, 15)),
    ]
    if y1 >= WIGILIA_FROM_YEAR:
        days.append(("Wigilia Bożego Narodzenia", datetime.date(y1, 12, 24)))
    return sorted(days, key=lambda item: item[1])


def christmas_break(start_year: int) -> tuple[datetime.date, datetime.date]:
    first = CHRISTMAS_BREAK_START.get(start_year, datetime.date(start_year, 12, 23))
    return first, datetime.date(start_year, 12, 31)


def spring_break(start_year: int) -> tuple[datetime.date, datetime.date]:
    """Wiosenna przerwa świąteczna: the Thursday before Easter to the Tuesday after."""
    easter = easter_sunday(start_year + 1)
    return easter - datetime.timedelta(days=3), easter + datetime.timedelta(days=2)


def winter_holidays(
    start_year: int, voivodeship: str
) -> tuple[datetime.date, datetime.date] | None:
    """Ferie zimowe for the voivodeship, or None where the dates are not known here."""
    return WINTER_HOLIDAYS.get(start_year, {}).get(voivodeship)


def default_term_boundaries(start_year: int, voivodeship: str) -> list[datetime.date]:
    """End of term 1: the day before the ferie when their dates are known, else 31 January."""
    ferie = winter_holidays(start_year, voivodeship)
    if ferie is not None:
        return [ferie[0] - ONE_DAY]
    return [datetime.date(start_year + 1, 1, 31)]


@dataclass
class YearPlan:
    """Unsaved rows of one school year: the year, its terms and its days off."""

    year: SchoolYear
    terms: list[Term] = field(default_factory=list)
    days_off: list[DayOff] = field(default_factory=list)
    winter_holidays_known: bool = False


def plan_school_year(
    school: School, start_year: int, term_boundaries: Sequence[datetime.date] | None = None
) -> YearPlan:
    """Compute (without saving) a school year with its terms and its statutory days off.

    ``term_boundaries`` are the last days of every term but the last one (two terms when
    one date is given); by default term 1 ends the day before the ferie or on 31 January.
    Raises ``ValidationError`` for boundaries outside the year or out of order.
    """
    start = datetime.date(start_year, 9, 1)
    end = datetime.date(start_year + 1, 8, 31)
    year = SchoolYear(
        school=school,
        name=f"{start_year}/{start_year + 1}",
        start_date=start,
        end_date=end,
        classes_start=classes_start(start_year),
        classes_end=classes_end(start_year),
    )
    boundaries = list(
        term_boundaries
        if term_boundaries is not None
        else default_term_boundaries(start_year, school.voivodeship)
    )
    previous = start
    for boundary in boundaries:
        if not (previous <= boundary < end):
            raise ValidationError(
                _("Term boundaries must lie inside the school year, in order: %(date)s.")
                % {"date": boundary.strftime("%d.%m.%Y")},
                code="term_boundary",
            )
        previous = boundary + ONE_DAY
    plan = YearPlan(year=year)
    term_start = start
    for number, last_day in enumerate([*boundaries, end], start=1):
        plan.terms.append(
            Term(school_year=year, number=number, start_date=term_start, end_date=last_day)
        )
        term_start = last_day + ONE_DAY

    def day_off(kind: str, name: str, first: datetime.date, last: datetime.date) -> None:
        plan.days_off.append(
            DayOff(
                school=school, school_year=year, kind=kind, name=name, date_from=first, date_to=last
            )
        )

    for name, day in national_holidays(start_year):
        day_off(DayOff.Kind.NATIONAL_HOLIDAY, name, day, day)
    day_off(DayOff.Kind.CHRISTMAS_BREAK, "Zimowa przerwa świąteczna", *christmas_break(start_year))
    ferie = winter_holidays(start_year, school.voivodeship)
    if ferie is not None:
        day_off(DayOff.Kind.WINTER_HOLIDAYS, "Ferie zimowe", *ferie)
        plan.winter_holidays_known = True
    day_off(DayOff.Kind.SPRING_BREAK, "Wiosenna przerwa świąteczna", *spring_break(start_year))
    plan.days_off.sort(key=lambda row: (row.date_from, row.date_to))
    return plan


def _weekdays(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    day = first
    while day <= last:
        if day.weekday() <= FRIDAY:
            yield day
        day += ONE_DAY


def _off_days(ranges: Iterable[tuple[datetime.date, datetime.date]]) -> set[datetime.date]:
    off: set[datetime.date] = set()
    for first, last in ranges:
        day = first
        while day <= last:
            off.add(day)
            day += ONE_DAY
    return off


def lesson_days(school_year: SchoolYear, until: datetime.date | None = None) -> list[datetime.date]:
    """Days with lessons: Monday–Friday from the first to the last lesson day (or
    ``until``, inclusive), minus the year's days off. One query."""
    last = school_year.classes_end if until is None else min(until, school_year.classes_end)
    off = _off_days(
        DayOff.objects.filter(school_year=school_year).values_list("date_from", "date_to")
    )
    return [day for day in _weekdays(school_year.classes_start, last) if day not in off]


def is_lesson_day(school: School, day: datetime.date) -> bool:
    """Whether the school has lessons on ``day`` (two queries at most)."""
    if day.weekday() > FRIDAY:
        return False
    year = (
        SchoolYear.objects.filter(school=school, classes_start__lte=day, classes_end__gte=day)
        .only("pk")
        .first()
    )
    if year is None:
        return False
    return not DayOff.objects.filter(
        school_year=year, date_from__lte=day, date_to__gte=day
    ).exists()


def default_bell_schedule(school: School, *, last_lesson: int = 8) -> list[LessonSlot]:
    """Unsaved bell-grid rows for lessons 0..``last_lesson`` (at most 10), per C-06."""
    return [
        LessonSlot(
            school=school,
            number=number,
            starts_at=datetime.time.fromisoformat(starts),
            ends_at=datetime.time.fromisoformat(ends),
        )
        for number, starts, ends in DEFAULT_BELLS
        if number <= last_lesson
    ]
