"""Writes to the school structure. Each service takes the actor, runs in one transaction
and records every row it creates in the history of changes."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dziennik.core.audit import build_entry, record_create, record_many, snapshot

from .calendar import YearPlan, default_bell_schedule, plan_school_year
from .models import DayOff, LessonSlot, School, SchoolYear, Term


@transaction.atomic
def school_year_create(
    *,
    actor,
    school: School,
    start_year: int,
    term_boundaries: Sequence[datetime.date] | None = None,
) -> YearPlan:
    """Create the school year starting 1 September ``start_year`` with its terms and the
    statutory days off (national holidays, the Christmas and spring breaks, and the ferie
    where their dates for the school's voivodeship are known).

    Returns the saved plan; ``plan.winter_holidays_known`` is False when the secretary
    still has to enter the ferie. Raises ``ValidationError`` when the year exists already
    or the term boundaries are wrong.
    """
    plan = plan_school_year(school, start_year, term_boundaries)
    if SchoolYear.objects.filter(school=school, start_date=plan.year.start_date).exists():
        raise ValidationError(
            _("The school year %(name)s already exists.") % {"name": plan.year.name},
            code="duplicate_year",
        )
    plan.year.save()
    record_create(actor=actor, instance=plan.year)
    for term in plan.terms:
        term.school_year = plan.year
    for day_off in plan.days_off:
        day_off.school_year = plan.year
    Term.objects.bulk_create(plan.terms)
    DayOff.objects.bulk_create(plan.days_off)
    _record_created(actor, school, [*plan.terms, *plan.days_off])
    return plan


@transaction.atomic
def bell_schedule_create_default(
    *, actor, school: School, last_lesson: int = 8
) -> list[LessonSlot]:
    """Give a school without a bell grid the default one (lessons 0..``last_lesson``)."""
    if LessonSlot.objects.filter(school=school).exists():
        raise ValidationError(_("This school already has a bell schedule."), code="exists")
    slots = LessonSlot.objects.bulk_create(default_bell_schedule(school, last_lesson=last_lesson))
    _record_created(actor, school, slots)
    return slots


def _record_created(actor, school: School, instances) -> None:
    record_many(
        [
            build_entry(
                actor=actor,
                instance=instance,
                action="create",
                changes={name: [None, value] for name, value in snapshot(instance).items()},
                school_id=school.pk,
            )
            for instance in instances
        ]
    )
