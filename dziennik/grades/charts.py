"""Server-rendered SVG line charts of averages over time (no JavaScript, phone-friendly).

The drawing keeps its proportions (the browser scales the whole picture, never one axis
alone, so a dot stays round and the line keeps its slope), has a value axis (1–6) and a
time axis with dates. Each chart comes with the same numbers as a table in the template,
for screen readers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class _Frame:
    """The drawing area inside the picture: margins leave room for the axes' labels."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    first: datetime.date
    span: int  # days from the first to the last point, at least 1
    single: bool

    def x(self, day: datetime.date) -> float:
        inner = self.width - self.left - self.right
        share = 0.5 if self.single else (day - self.first).days / self.span
        return self.left + inner * share

    def y(self, value) -> float:
        inner = self.height - self.top - self.bottom
        return self.top + inner * (1 - (float(value) - 1) / 5)


def _date_ticks(series, count: int) -> list[datetime.date]:
    """At most ``count`` dates spread over the series: the first, the last and between."""
    first, last = series[0][0], series[-1][0]
    if first == last:
        return [first]
    span = (last - first).days
    ticks = [first + datetime.timedelta(days=round(span * i / (count - 1))) for i in range(count)]
    return sorted(set(ticks))


def _label(day: datetime.date) -> str:
    return f"{day:%d.%m}"


def line_chart(
    series: list[tuple[datetime.date, Decimal]], *, small: bool = False
) -> SafeString | str:
    """An SVG line of averages on the 1–6 scale, with both axes, that keeps its aspect
    ratio at any width (the stylesheet caps how wide it grows)."""
    if not series:
        return ""
    frame = _Frame(
        width=360 if small else 640,
        height=150 if small else 260,
        left=24,
        right=16,
        top=10,
        bottom=26,
        first=series[0][0],
        span=max((series[-1][0] - series[0][0]).days, 1),
        single=len(series) == 1,
    )
    values = range(1, 7)
    grid = _value_axis(frame, values)
    bottom = frame.height - frame.bottom
    ticks = _date_ticks(series, 3 if small else 5)
    time_axis = _time_axis(frame, ticks, bottom)
    points = " ".join(f"{frame.x(d):.1f},{frame.y(v):.1f}" for d, v in series)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}"/>',
        ((f"{frame.x(d):.1f}", f"{frame.y(v):.1f}", 3 if small else 4) for d, v in series),
    )
    return format_html(
        '<svg class="avg-chart{}" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-hidden="true" focusable="false">{}{}'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="axis-line"/>'
        '<polyline points="{}" class="line"/>{}</svg>',
        " small" if small else "",
        frame.width,
        frame.height,
        frame.width,
        frame.height,
        grid,
        time_axis,
        frame.left,
        frame.width - frame.right,
        bottom,
        bottom,
        points,
        dots,
    )


def _value_axis(frame: _Frame, values) -> SafeString:
    """Grid lines at each grade of the scale, labelled on the left."""
    return format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
        '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>',
        (
            (
                frame.left,
                frame.width - frame.right,
                f"{frame.y(v):.1f}",
                f"{frame.y(v):.1f}",
                frame.left - 6,
                f"{frame.y(v) + 4:.1f}",
                v,
            )
            for v in values
        ),
    )


def _time_axis(frame: _Frame, ticks: list[datetime.date], bottom: int) -> SafeString:
    """Dates under the drawing (day.month), with a short tick each."""
    return format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="tick"/>'
        '<text x="{}" y="{}" class="axis" text-anchor="{}">{}</text>',
        (
            (
                f"{frame.x(day):.1f}",
                f"{frame.x(day):.1f}",
                bottom,
                bottom + 4,
                f"{frame.x(day):.1f}",
                bottom + 18,
                _anchor(frame, day),
                _label(day),
            )
            for day in ticks
        ),
    )


def _anchor(frame: _Frame, day: datetime.date) -> str:
    """Labels at the ends align inwards so they stay inside the picture."""
    if frame.single:
        return "middle"
    if day == frame.first:
        return "start"
    if (day - frame.first).days >= frame.span:
        return "end"
    return "middle"
