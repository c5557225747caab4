"""The revenue report's period: from–to days (both counted), the school year by default,
one filter for the table, the chart and the CSV; bad input is a form error and a 400."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from .factories import leaflet, paid_purchase

FIRST = datetime.date(2026, 10, 5)
LAST = datetime.date(2026, 11, 20)
DAY = datetime.timedelta(days=1)


def _payments_around_the_period(world):
    """22 zł on the period's first and last day, and one day outside on either side."""
    plans = leaflet(world)
    days = {"before": FIRST - DAY, "first": FIRST, "last": LAST, "after": LAST + DAY}
    for name, day in days.items():
        paid_purchase(world, plans["single"], day=day, ref=name)
    return plans


def _csv_lines(response) -> list[str]:
    assert response.status_code == 200
    return response.content.decode("utf-8-sig").strip().split("\r\n")


def test_the_period_counts_its_first_and_last_day_and_nothing_outside(world):
    _payments_around_the_period(world)
    client = world.client("secretary")
    query = {"od": FIRST.isoformat(), "do": LAST.isoformat()}
    page = client.get(reverse("plans:report"), query)
    assert page.status_code == 200
    report = page.context["report"]
    assert report.total.amount == Decimal("44.00") and report.total.activations == 2
    assert [row["date"] for row in report.rows] == [FIRST, LAST]
    assert [bar["label"] for bar in page.context["chart"]["bars"]] == ["2026-10", "2026-11"]
    # the CSV link carries the period, and the CSV has the same two payments
    assert "raport.csv?od=2026-10-05&amp;do=2026-11-20" in page.content.decode()
    lines = _csv_lines(client.get(reverse("plans:report_csv"), query))
    assert len(lines) == 3
    assert lines[1].startswith("2026-10-05") and lines[2].startswith("2026-11-20")
    # a period of one day
    one = client.get(reverse("plans:report"), {"od": LAST.isoformat(), "do": LAST.isoformat()})
    assert one.context["report"].total.amount == Decimal("22.00")


def test_the_default_period_is_the_school_year(world):
    plans = _payments_around_the_period(world)
    start, end = world.year.start_date, world.year.end_date
    paid_purchase(world, plans["single"], day=start, ref="year-first")
    paid_purchase(world, plans["single"], day=start - DAY, ref="year-before")
    page = world.client("secretary").get(reverse("plans:report"))
    assert page.status_code == 200
    assert (page.context["date_from"], page.context["date_to"]) == (start, end)
    report = page.context["report"]
    # the four around the period (all in the school year) and the year's first day
    assert report.total.amount == Decimal("110.00")
    assert min(row["date"] for row in report.rows) == start
    assert len(_csv_lines(world.client("secretary").get(reverse("plans:report_csv")))) == 6


def test_bad_periods_are_a_form_error_and_400(world):
    _payments_around_the_period(world)
    client = world.client("secretary")
    for query in (
        {"od": "2026-13-01", "do": "2026-11-20"},
        {"od": "2026-11-20", "do": "2026-10-05"},
        {"od": "0001-01-01", "do": "9999-12-31"},
        {"od": "2026-10-05"},
    ):
        for name in ("plans:report", "plans:report_csv"):
            response = client.get(reverse(name), query)
            assert response.status_code == 400, (name, query)
            assert response["Content-Type"].startswith("text/html")
            assert response.context["report"] is None
            assert response.context["form"].errors, query
            assert 'role="alert"' in response.content.decode()


def test_the_period_is_the_offices_only(world):
    _payments_around_the_period(world)
    query = {"od": "2026-13-01"}
    for role in ("own_parent", "teacher_in", "class_teacher"):
        for name in ("plans:report", "plans:report_csv"):
            assert world.client(role).get(reverse(name), query).status_code == 404
