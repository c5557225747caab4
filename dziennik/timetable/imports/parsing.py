"""Reading and checking a timetable CSV on its own, without the database: the columns
and their aliases, weekdays, lesson numbers, dates; the downloadable template."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dziennik.core import csvimport
from dziennik.core.params import date_range_message, in_bounds, parse_int

from .results import TimetableImportResult

MAX_FILE_BYTES = csvimport.MAX_FILE_BYTES

# Column name → required. Order is the order of the template.
COLUMNS: dict[str, bool] = {
    "klasa": True,
    "grupa": False,
    "dzien": True,
    "lekcja": True,
    "przedmiot": True,
    "nauczyciel": True,
    "sala": False,
    "obowiazuje_od": False,
}
COLUMN_ALIASES = {
    "oddzial": "klasa",
    "class": "klasa",
    "group": "grupa",
    "dzien_tygodnia": "dzien",
    "day": "dzien",
    "weekday": "dzien",
    "nr_lekcji": "lekcja",
    "numer_lekcji": "lekcja",
    "lesson": "lekcja",
    "lesson_number": "lekcja",
    "subject": "przedmiot",
    "teacher": "nauczyciel",
    "room": "sala",
    "od": "obowiazuje_od",
    "data_od": "obowiazuje_od",
    "valid_from": "obowiazuje_od",
}
WEEKDAYS = {
    1: ("1", "pon", "pn", "poniedzialek", "mon", "monday"),
    2: ("2", "wt", "wto", "wtorek", "tue", "tuesday"),
    3: ("3", "sr", "sro", "sroda", "wed", "wednesday"),
    4: ("4", "czw", "cz", "czwartek", "thu", "thursday"),
    5: ("5", "pt", "pia", "piatek", "fri", "friday"),
    6: ("6", "sob", "so", "sobota", "sat", "saturday"),
    7: ("7", "nd", "ndz", "nie", "niedziela", "sun", "sunday"),
}
WEEKDAY_BY_NAME = {name: number for number, names in WEEKDAYS.items() for name in names}
LIMITS = {"klasa": 20, "grupa": 50, "przedmiot": 100, "nauczyciel": 150, "sala": 50}

TEMPLATE_ROWS = [
    {
        "klasa": "4a",
        "dzien": "pon",
        "lekcja": "1",
        "przedmiot": "Język polski",
        "nauczyciel": "Wójcik Grażyna",
        "sala": "12",
        "obowiazuje_od": "01.09.2026",
    },
    {
        "klasa": "4a",
        "grupa": "gr. 1",
        "dzien": "pon",
        "lekcja": "2",
        "przedmiot": "Język angielski",
        "nauczyciel": "akowalska",
        "sala": "21",
        "obowiazuje_od": "01.09.2026",
    },
    {
        "klasa": "4a",
        "grupa": "gr. 2",
        "dzien": "pon",
        "lekcja": "2",
        "przedmiot": "Język angielski",
        "nauczyciel": "Nowak Piotr",
        "sala": "22",
        "obowiazuje_od": "01.09.2026",
    },
    {
        "klasa": "4a",
        "dzien": "2",
        "lekcja": "3",
        "przedmiot": "MAT",
        "nauczyciel": "Lewandowski Tomasz",
        "sala": "12",
        "obowiazuje_od": "01.09.2026",
    },
]


@dataclass
class PlanRow:
    line: int
    class_name: str
    group_name: str
    weekday: int
    number: int
    subject: str
    teacher: str
    room: str
    valid_from: datetime.date

    @property
    def class_key(self) -> str:
        return self.class_name.casefold()


def normalize_column(name: str) -> str:
    name = csvimport.plain_name(name)
    return COLUMN_ALIASES.get(name, name)


def parse_weekday(value: str) -> int | None:
    """``1``–``7``, ``pon``/``poniedziałek``, ``śr.``, ``Friday``…; None when unknown."""
    return WEEKDAY_BY_NAME.get(csvimport.plain_name(value))


def squash_spaces(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def parse(
    data: bytes, result: TimetableImportResult, *, default_valid_from: datetime.date | None
) -> list[PlanRow]:
    """Read and check the file on its own (no database). Problems go into ``result``.

    ``default_valid_from`` is the date chosen on the page, for rows without one.
    """
    rows: list[PlanRow] = []
    for line, values in csvimport.read_rows(
        data, columns=COLUMNS, normalize=normalize_column, result=result
    ):
        row = _parse_row(line, values, result, default_valid_from)
        if row is not None:
            rows.append(row)
    if not result.file_errors and result.rows == 0:
        result.file_errors.append(_("The file has a header but no lessons."))
    # One class, one date: the class's plan is replaced from it.
    first_date: dict[str, PlanRow] = {}
    for row in rows:
        first = first_date.setdefault(row.class_key, row)
        if first.valid_from != row.valid_from:
            result.error(
                row.line,
                _(
                    "Class %(class)s gets its new plan from %(date)s in line %(line)s; all "
                    "lessons of one class must have the same date."
                )
                % {
                    "class": row.class_name,
                    "date": first.valid_from.strftime("%d.%m.%Y"),
                    "line": first.line,
                },
            )
    result.row_errors.sort(key=lambda e: e.line)
    return rows


def _parse_row(
    line: int,
    values: dict[str, str],
    result: TimetableImportResult,
    default_valid_from: datetime.date | None,
) -> PlanRow | None:
    errors: list[str] = []
    for name, required in COLUMNS.items():
        if required and not values[name]:
            errors.append(_("Missing value in column %(column)s.") % {"column": name})
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.append(
                _("The value in column %(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )
    weekday = None
    if values["dzien"]:
        weekday = parse_weekday(values["dzien"])
        if weekday is None:
            errors.append(
                _("Weekday %(value)s is unknown (use 1–5 or pon, wt, śr, czw, pt).")
                % {"value": values["dzien"]}
            )
    number = None
    if values["lekcja"]:
        number = parse_int(values["lekcja"], min_value=0, max_value=15)
        if number is None:
            errors.append(
                _("Lesson number %(value)s is not a number from 0 to 15.")
                % {"value": values["lekcja"]}
            )
    valid_from = default_valid_from
    if values["obowiazuje_od"]:
        valid_from = csvimport.parse_date(values["obowiazuje_od"])
        if valid_from is None:
            errors.append(
                _("Date %(value)s is not a date (use DD.MM.YYYY or YYYY-MM-DD).")
                % {"value": values["obowiazuje_od"]}
            )
        elif not in_bounds(valid_from):
            errors.append(date_range_message())
    elif valid_from is None:
        errors.append(
            _(
                "Missing value in column %(column)s (or choose the date from which the plan "
                "applies on the import page)."
            )
            % {"column": "obowiazuje_od"}
        )
    for message in errors:
        result.error(line, message)
    if errors:
        return None
    return PlanRow(
        line=line,
        class_name=values["klasa"],
        group_name=squash_spaces(values["grupa"]),
        weekday=weekday,
        number=number,
        subject=squash_spaces(values["przedmiot"]),
        teacher=squash_spaces(values["nauczyciel"]),
        room=squash_spaces(values["sala"]),
        valid_from=valid_from,
    )


def template_csv() -> str:
    """The downloadable template: the header and example rows, ``;``-separated."""
    return csvimport.template_csv(list(COLUMNS), TEMPLATE_ROWS)
