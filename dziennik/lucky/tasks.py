"""The morning draw of the lucky number for every school (safe to run twice: a drawn
day keeps its number)."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone

from dziennik.schools.models import School

from . import services


@task
def lucky_numbers_draw(day: str | None = None) -> int:
    """Draw the number of ``day`` (ISO date; today by default) for every school that
    draws; returns how many schools have one."""
    when = datetime.date.fromisoformat(day) if day else timezone.localdate()
    count = 0
    for school_id in School.objects.values_list("pk", flat=True):
        if services.lucky_number_draw(school_id=school_id, day=when) is not None:
            count += 1
    return count
