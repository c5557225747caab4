"""Server-rendered SVG line charts of averages over time (no JavaScript, phone-friendly).

Each chart comes with the same numbers as a table in the template, for screen readers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def line_chart(
    series: list[tuple[datetime.date, Decimal]], *, small: bool = False
) -> SafeString | str:
    """An SVG polyline of averages on a 1–6 scale that scales to its container's width."""
    if not series:
        return ""
    width, height, pad = (320, 80, 8) if small else (640, 220, 28)
    first, last = series[0][0], series[-1][0]
    span = max((last - first).days, 1)

    def x(day):
        return pad + (width - 2 * pad) * ((day - first).days / span if len(series) > 1 else 0.5)

    def y(value):
        return pad + (height - 2 * pad) * (1 - (float(value) - 1) / 5)

    points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in series)
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
        '<text x="2" y="{}" class="axis">{}</text>',
        (
            (pad, width - pad, f"{y(g):.1f}", f"{y(g):.1f}", f"{y(g) + 4:.1f}", g)
            for g in (range(1, 7) if not small else ())
        ),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}"/>',
        ((f"{x(d):.1f}", f"{y(v):.1f}", 2.5 if small else 4) for d, v in series),
    )
    return format_html(
        '<svg class="avg-chart{}" viewBox="0 0 {} {}" preserveAspectRatio="none" '
        'role="img" aria-hidden="true" focusable="false">{}'
        '<polyline points="{}" class="line"/>{}</svg>',
        " small" if small else "",
        width,
        height,
        grid,
        points,
        dots,
    )
