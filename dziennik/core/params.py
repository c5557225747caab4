"""Values read from addresses and forms: dates, weeks, months, periods, ids and numbers.

One set of rules for every screen, so that no typed or edited address can reach a date
the calendar cannot count past, a number no column can hold, or a period that costs a
minute to compute:

* a **missing or malformed** query value (``?tydzien=jutro``) gives the page's default,
  as the screens always did: a mistyped address shows the usual page;
* a **well-formed value out of range** (``?tydzien=9999-12-31``, a period of ten
  years) is refused with ``InvalidParameter``: a 400 page that says what is allowed
  (``dziennik.core.errors.bad_request``), or – where the page has a form for it – the
  form's error on the page itself;
* a malformed or impossible **id** is a missing object: 404, as for any other id.

Dates lie in ``date_bounds()``: from 1 January ``YEARS_BACK`` years ago (a pupil's whole
schooling, eight years of primary and five of secondary school, plus the two years a
finished school year's register is kept open for corrections) to 31 December
``YEARS_AHEAD`` years ahead (timetables and exemptions planned for next years). A period
(``?od=&do=``) spans at most ``MAX_PERIOD_DAYS``: one school year, leap day included.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

YEARS_BACK = 15
YEARS_AHEAD = 5
MAX_PERIOD_DAYS = 366
# Primary keys are 64-bit (``DEFAULT_AUTO_FIELD``): a larger number is no row's id, and
# SQLite cannot even compare it.
MAX_ID = 2**63 - 1
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidParameter(BadRequest):
    """A well-formed value out of range: answered with 400 and ``message``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def date_bounds(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and the last date any screen accepts."""
    today = today or timezone.localdate()
    return datetime.date(today.year - YEARS_BACK, 1, 1), datetime.date(
        today.year + YEARS_AHEAD, 12, 31
    )


def date_range_message(today: datetime.date | None = None) -> str:
    first, last = date_bounds(today)
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": first.strftime("%d.%m.%Y"),
        "last": last.strftime("%d.%m.%Y"),
    }


def in_bounds(day: datetime.date) -> bool:
    first, last = date_bounds()
    return first <= day <= last


def parse_date(value: str | None) -> datetime.date | None:
    """A date as ``YYYY-MM-DD`` (what ``<input type="date">`` sends), or None when there
    is none or it is malformed. Out of range is the caller's question (``in_bounds``)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def query_date(query, name: str, default: datetime.date) -> datetime.date:
    """``?name=YYYY-MM-DD``: the default when missing or malformed, ``InvalidParameter``
    when out of range."""
    day = parse_date(query.get(name))
    if day is None:
        return default
    if not in_bounds(day):
        raise InvalidParameter(date_range_message())
    return day


def query_month(query, name: str, default: datetime.date) -> datetime.date:
    """``?name=YYYY-MM``: the month's first day (the default's when missing or
    malformed), ``InvalidParameter`` when out of range."""
    value = query.get(name)
    day = parse_date(value + "-01") if isinstance(value, str) and len(value) == 7 else None
    if day is None:
        return default.replace(day=1)
    if not in_bounds(day):
        raise InvalidParameter(date_range_message())
    return day


@dataclass(frozen=True)
class Period:
    """From and to (both included); ``error`` says why the requested one was refused
    (then the period is the default one)."""

    date_from: datetime.date
    date_to: datetime.date
    error: str = ""

    def check(self) -> Period:
        """The period, or ``InvalidParameter`` for a page without a form to show the
        error on (a PDF)."""
        if self.error:
            raise InvalidParameter(self.error)
        return self


def query_period(
    query,
    *,
    default_from: datetime.date,
    default_to: datetime.date,
    names: tuple[str, str] = ("od", "do"),
    max_days: int = MAX_PERIOD_DAYS,
) -> Period:
    """``?od=&do=``: each missing or malformed end takes its default; the ends are
    swapped when given the wrong way round. A period out of ``date_bounds`` or longer
    than ``max_days`` is refused: the default period, with the reason in ``error``."""
    date_from = parse_date(query.get(names[0])) or default_from
    date_to = parse_date(query.get(names[1])) or default_to
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    if not (in_bounds(date_from) and in_bounds(date_to)):
        return Period(default_from, default_to, date_range_message())
    if (date_to - date_from).days + 1 > max_days:
        message = _("Choose a period of at most %(days)s days (one school year).") % {
            "days": max_days
        }
        return Period(default_from, default_to, message)
    return Period(date_from, date_to)


def parse_id(value) -> int | None:
    """A posted or queried id: None when empty; ``Http404`` when it cannot be any row's
    id (not a plain decimal number, or out of range) – a missing object."""
    if value in (None, ""):
        return None
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 19 or not text.isascii() or not text.isdecimal():
        raise Http404  # 19 digits hold any 64-bit id; more cannot even be read as one
    number = int(text)
    if not 1 <= number <= MAX_ID:
        raise Http404
    return number


def query_id(query, name: str) -> int | None:
    return parse_id(query.get(name))


def parse_int(value, *, min_value: int, max_value: int) -> int | None:
    """A whole number typed in a form within the bounds, or None. Only ASCII digits (an
    optional sign, surrounding spaces): ``²`` or ``١٢`` are not numbers here."""
    if not isinstance(value, str):
        return None
    text = value.strip().lstrip("+-")
    if not text or len(text) > 20 or not text.isascii() or not text.isdecimal():
        return None
    number = int(value.strip())
    return number if min_value <= number <= max_value else None


def parse_decimal(value, *, max_digits: int, decimal_places: int) -> Decimal | None:
    """A decimal number typed in a form (a comma or a dot), or None when it is not one
    or its whole part does not fit a column of ``max_digits`` digits with
    ``decimal_places`` of them after the point (further decimals are the caller's to
    round): no ``1e999``, ``NaN`` or ``Infinity``."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", ".")
    if not text or len(text) > 30 or not text.isascii():
        return None
    if any(ch not in "0123456789.+-" for ch in text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    limit = Decimal(10) ** (max_digits - decimal_places)
    return number if abs(number) < limit else None
