"""Values from addresses and forms (``core/params.py``): one set of rules for every screen."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.http import Http404, QueryDict
from django.utils import timezone

from dziennik.core import params
from dziennik.core.params import InvalidParameter

TODAY = datetime.date(2026, 12, 7)


def test_the_bounds_are_school_years_around_today():
    first, last = params.date_bounds(TODAY)
    assert first == datetime.date(2011, 1, 1)
    assert last == datetime.date(2031, 12, 31)


@pytest.mark.parametrize("value", ["", "jutro", "2026-13-01", "2026-02-30", "9999-W52", "x" * 5000])
def test_a_malformed_date_gives_the_default(value):
    default = timezone.localdate()
    assert params.query_date(QueryDict(f"d={value}"), "d", default) == default


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1900-01-01"])
def test_a_date_out_of_range_is_refused_with_what_is_allowed(value):
    with pytest.raises(InvalidParameter) as caught:
        params.query_date(QueryDict(f"d={value}"), "d", timezone.localdate())
    assert str(timezone.localdate().year - params.YEARS_BACK) in caught.value.message


def test_a_date_in_range_is_read():
    day = timezone.localdate() - datetime.timedelta(days=400)
    assert params.query_date(QueryDict(f"d={day}"), "d", timezone.localdate()) == day


def test_a_month():
    default = datetime.date(2026, 12, 7)
    this_year = timezone.localdate().year
    query = QueryDict(f"m={this_year}-02")
    assert params.query_month(query, "m", default) == datetime.date(this_year, 2, 1)
    assert params.query_month(QueryDict("m=2026-13"), "m", default) == datetime.date(2026, 12, 1)
    for extreme in ("9999-12", "0001-01"):
        with pytest.raises(InvalidParameter):
            params.query_month(QueryDict(f"m={extreme}"), "m", default)


def test_a_period_is_at_most_one_school_year():
    today = timezone.localdate()
    default = {"default_from": today - datetime.timedelta(days=13), "default_to": today}
    year_ago = today - datetime.timedelta(days=365)
    period = params.query_period(QueryDict(f"od={year_ago}&do={today}"), **default)
    assert (period.date_from, period.date_to, period.error) == (year_ago, today, "")
    too_long = today - datetime.timedelta(days=366)
    period = params.query_period(QueryDict(f"od={too_long}&do={today}"), **default)
    assert (period.date_from, period.date_to) == (default["default_from"], today)
    assert "366" in period.error
    with pytest.raises(InvalidParameter):
        period.check()
    # ends given the wrong way round are swapped, as before
    period = params.query_period(QueryDict(f"od={today}&do={year_ago}"), **default)
    assert (period.date_from, period.date_to) == (year_ago, today)


def test_a_period_out_of_range_falls_back_with_the_reason():
    today = timezone.localdate()
    period = params.query_period(QueryDict("od=0001-01-02"), default_from=today, default_to=today)
    assert (period.date_from, period.date_to) == (today, today)
    assert period.error


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "²",
        "١٢",
        "-1",
        "0",
        "1.5",
        "99999999999999999999",
        "9223372036854775808",
        "9" * 5000,
        " ",
    ],
)
def test_an_id_that_no_row_can_have_is_a_missing_object(value):
    with pytest.raises(Http404):
        params.parse_id(value)


def test_ids():
    assert params.parse_id("") is None
    assert params.parse_id(None) is None
    assert params.parse_id("42") == 42
    assert params.parse_id(str(2**63 - 1)) == 2**63 - 1
    assert params.query_id(QueryDict("okres=7"), "okres") == 7


@pytest.mark.parametrize("value", ["²", "١٢", "５", "12a", "", "1e3", "1" + "0" * 40, "121", "-1"])
def test_whole_numbers_are_ascii_digits_within_bounds(value):
    assert params.parse_int(value, min_value=0, max_value=120) is None


def test_whole_numbers():
    assert params.parse_int(" 7 ", min_value=0, max_value=120) == 7
    assert params.parse_int("120", min_value=0, max_value=120) == 120


@pytest.mark.parametrize(
    "value", ["1e999", "-1e999", "NaN", "Infinity", "999999999", "10000", "abc", "٣.٥", "1.2.3"]
)
def test_a_decimal_must_fit_its_column(value):
    assert params.parse_decimal(value, max_digits=6, decimal_places=2) is None


def test_decimals():
    assert params.parse_decimal("2,5", max_digits=6, decimal_places=2) == Decimal("2.5")
    assert params.parse_decimal("9999.99", max_digits=6, decimal_places=2) == Decimal("9999.99")
    assert params.parse_decimal("-0.25", max_digits=3, decimal_places=2) == Decimal("-0.25")


def test_no_code_reads_a_number_with_isdigit():
    """``"²".isdigit()`` is true and ``int("²")`` fails: numbers are read with
    ``parse_int``/``parse_id``, a form's field, or ``int()`` in a ``try``."""
    package = Path(settings.BASE_DIR) / "dziennik"
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if "tests" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.(isdigit|isnumeric)\(\)", line)
    ]
    assert found == []
