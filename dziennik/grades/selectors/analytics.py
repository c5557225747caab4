"""The gradebook's analysis: each column's distribution and the students at risk."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from .gradebook import Gradebook


# --- analytics ------------------------------------------------------------------------
def class_analytics(book: Gradebook, today: datetime.date | None = None) -> dict:
    """Distribution of each assessment and the students at risk of failing."""
    today = today or timezone.localdate()
    rules = book.rules
    distributions = []
    for index, a in enumerate(book.assessments):
        counts: dict[int, int] = defaultdict(int)
        for row in book.rows:
            g = row.cells[index]["grade"]
            if g is None:
                continue
            value = rules.value_of(g.symbol) if g.points is None else None
            if g.points is not None and a.max_points:
                value = rules.value_of(rules.points_symbol(g.points, a.max_points))
            if value is not None:
                counts[int(max(1, min(6, value.to_integral_value(rounding="ROUND_FLOOR"))))] += 1
        total = sum(counts.values())
        distributions.append(
            {
                "assessment": a,
                "bars": [(grade, counts.get(grade, 0)) for grade in range(1, 7)],
                "total": total,
                "max": max(counts.values(), default=0),
            }
        )
    at_risk = [
        row for row in book.rows if row.average is not None and row.average < rules.pass_threshold
    ]
    days_left = (book.term.end_date - today).days
    return {
        "distributions": distributions,
        "at_risk": at_risk,
        "days_left": days_left,
        "warning_period": 0 <= days_left <= 31,
    }
