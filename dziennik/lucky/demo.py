"""Demo lucky numbers: a fair draw for every school day so far (today's included when
it is one), from the demo's own random generator, so the students' and parents' home
pages show today's number at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import LuckyNumber

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext


def populate(ctx: DemoContext) -> None:
    pool = sorted(
        {
            number
            for students in ctx.students_by_class.values()
            for number in range(1, len(students) + 1)
        }
    )
    days = [d for d in ctx.school_days if d <= ctx.today]
    if not pool or not days:
        return
    ctx.progress(f"lucky: {len(days)} draws")
    rows, round_, left = [], 1, list(pool)
    for day in days:
        if not left:
            round_, left = round_ + 1, list(pool)
        number = ctx.rng.choice(left)
        left.remove(number)
        rows.append(LuckyNumber(school=ctx.school, date=day, number=number, round=round_))
    LuckyNumber.objects.bulk_create(rows)


def reset(school_ids: list[int]) -> None:
    LuckyNumber.objects.filter(school_id__in=school_ids).delete()
