"""Calendar events for tests, planned through the service as a person would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.planner import services


def next_monday(weeks_ahead: int = 3) -> datetime.date:
    """A Monday ``weeks_ahead`` weeks from this week's: far enough for the notice limit."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks_ahead)


def plan(
    actor,
    school_class,
    *,
    kind="test",
    subject=None,
    group=None,
    title="Sprawdzian – ułamki",
    date=None,
    confirm=False,
    **extra,
):
    return services.event_plan(
        actor=actor,
        kind=kind,
        school_class=school_class,
        group=group,
        subject=subject,
        title=title,
        date=date or next_monday(),
        confirm_over_limits=confirm,
        **extra,
    )


def maths_test(world, date, title="Sprawdzian", **extra):
    """A Matematyka test in 4a by its teacher."""
    return plan(
        world.user("teacher_in"),
        world.school_class,
        subject=world.subject,
        title=title,
        date=date,
        **extra,
    )
