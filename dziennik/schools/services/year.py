"""The school and its calendar: the school's record, school years and terms, days off and
the bell schedule. Each service takes the actor, runs in one transaction and records every
row it writes in the history of changes."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import cache
from dziennik.core.audit import build_entry, record_create, record_many, record_update, snapshot
from dziennik.core.text import clean_text

from ..calendar import YearPlan, default_bell_schedule, plan_school_year
from ..models import DayOff, LessonSlot, School, SchoolYear, Term
from ..viewer import get_viewer
from . import recording
from .recording import require_office

if TYPE_CHECKING:
    from dziennik.accounts.models import User

SCHOOL_FIELDS = (
    "name",
    "short_name",
    "school_type",
    "is_public",
    "voivodeship",
    "city",
    "address",
    "rspo",
    "time_zone",
    "crest",
    "electronic_only_consent",
    "require_staff_second_factor",
)


# --- the school -------------------------------------------------------------------------


@transaction.atomic
def school_create(
    *,
    actor: User | None,
    name: str,
    school_type: str,
    voivodeship: str,
    short_name: str = "",
    is_public: bool = True,
    city: str = "",
    address: str = "",
    rspo: str = "",
    time_zone: str = "Europe/Warsaw",
    electronic_only_consent: str = "",
    crest=None,
    require_staff_second_factor: bool = False,
) -> School:
    """A new school (a new tenant): the system administrator's act (``actor`` a
    superuser, or ``None`` for the system)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied
    school = School(
        name=name,
        school_type=school_type,
        voivodeship=voivodeship,
        short_name=short_name,
        is_public=is_public,
        city=city,
        address=address,
        rspo=rspo,
        time_zone=time_zone,
        electronic_only_consent=electronic_only_consent,
        crest=crest or "",
        require_staff_second_factor=require_staff_second_factor,
    )
    return recording.create(actor, school)


@transaction.atomic
def school_update(*, actor: User | None, school: School, **changes) -> School:
    """Change the school's record (``SCHOOL_FIELDS``)."""
    require_office(actor, school.pk)
    recording.update(actor, school, changes, editable=SCHOOL_FIELDS)
    return school


# --- school years and terms -------------------------------------------------------------


@transaction.atomic
def school_year_create(
    *,
    actor: User | None,
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
    require_office(actor, school.pk)
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
    cache.bump(cache.config_scope(school.pk))  # bulk writes send no signals
    _record_created(actor, school, [*plan.terms, *plan.days_off])
    return plan


SCHOOL_YEAR_FIELDS = ("name", "start_date", "end_date", "classes_start", "classes_end")


@transaction.atomic
def school_year_add(
    *,
    actor: User | None,
    school: School,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    classes_start: datetime.date,
    classes_end: datetime.date,
) -> SchoolYear:
    """A school year with the dates given, without terms or days off (the set-up panel);
    ``school_year_create`` plans a whole year from the calendar instead."""
    require_office(actor, school.pk)
    year = SchoolYear(
        school=school,
        name=name,
        start_date=start_date,
        end_date=end_date,
        classes_start=classes_start,
        classes_end=classes_end,
    )
    return recording.create(actor, year)


@transaction.atomic
def school_year_update(*, actor: User | None, school_year: SchoolYear, **changes) -> SchoolYear:
    """Change a school year's name or dates (``SCHOOL_YEAR_FIELDS``)."""
    require_office(actor, school_year.school_id)
    recording.update(actor, school_year, changes, editable=SCHOOL_YEAR_FIELDS)
    return school_year


@transaction.atomic
def school_year_delete(*, actor: User | None, school_year: SchoolYear) -> None:
    """Remove a school year entered by mistake, with its terms, days off and classes."""
    require_office(actor, school_year.school_id)
    recording.delete(actor, school_year)


TERM_FIELDS = ("number", "start_date", "end_date")


@transaction.atomic
def term_create(
    *,
    actor: User | None,
    school_year: SchoolYear,
    number: int,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Term:
    """A term (*okres*) of the school year, inside it."""
    require_office(actor, school_year.school_id)
    term = Term(school_year=school_year, number=number, start_date=start_date, end_date=end_date)
    return recording.create(actor, term)


@transaction.atomic
def term_update(*, actor: User | None, term: Term, **changes) -> Term:
    """Change a term's number or dates (``TERM_FIELDS``)."""
    require_office(actor, term.school_year.school_id)
    recording.update(actor, term, changes, editable=TERM_FIELDS)
    return term


@transaction.atomic
def term_delete(*, actor: User | None, term: Term) -> None:
    require_office(actor, term.school_year.school_id)
    recording.delete(actor, term)


# --- days off ---------------------------------------------------------------------------

DAY_OFF_FIELDS = ("kind", "name", "date_from", "date_to")


@transaction.atomic
def day_off_create(
    *,
    actor: User | None,
    school_year: SchoolYear,
    kind: str,
    name: str,
    date_from: datetime.date,
    date_to: datetime.date,
    school: School | None = None,
) -> DayOff:
    """A day or range of days without lessons in the school year (``school`` is the
    year's; given, it must be)."""
    require_office(actor, school_year.school_id)
    day_off = DayOff(
        school_id=school.pk if school is not None else school_year.school_id,
        school_year=school_year,
        kind=kind,
        name=name,
        date_from=date_from,
        date_to=date_to,
    )
    return recording.create(actor, day_off)


@transaction.atomic
def day_off_update(*, actor: User | None, day_off: DayOff, **changes) -> DayOff:
    """Change a day off (``DAY_OFF_FIELDS``)."""
    require_office(actor, day_off.school_id)
    recording.update(actor, day_off, changes, editable=DAY_OFF_FIELDS)
    return day_off


@transaction.atomic
def day_off_delete(*, actor: User | None, day_off: DayOff) -> None:
    require_office(actor, day_off.school_id)
    recording.delete(actor, day_off)


# --- the bell schedule ------------------------------------------------------------------

LESSON_SLOT_FIELDS = ("number", "starts_at", "ends_at")


@transaction.atomic
def lesson_slot_create(
    *,
    actor: User | None,
    school: School,
    number: int,
    starts_at: datetime.time,
    ends_at: datetime.time,
) -> LessonSlot:
    """One lesson of the bell schedule (*dzwonki*)."""
    require_office(actor, school.pk)
    slot = LessonSlot(school=school, number=number, starts_at=starts_at, ends_at=ends_at)
    return recording.create(actor, slot)


@transaction.atomic
def lesson_slot_update(*, actor: User | None, lesson_slot: LessonSlot, **changes) -> LessonSlot:
    """Change a lesson's number or times (``LESSON_SLOT_FIELDS``)."""
    require_office(actor, lesson_slot.school_id)
    recording.update(actor, lesson_slot, changes, editable=LESSON_SLOT_FIELDS)
    return lesson_slot


@transaction.atomic
def lesson_slot_delete(*, actor: User | None, lesson_slot: LessonSlot) -> None:
    require_office(actor, lesson_slot.school_id)
    recording.delete(actor, lesson_slot)


@transaction.atomic
def bell_schedule_create_default(
    *, actor: User | None, school: School, last_lesson: int = 8
) -> list[LessonSlot]:
    """Give a school without a bell grid the default one (lessons 0..``last_lesson``)."""
    require_office(actor, school.pk)
    if LessonSlot.objects.filter(school=school).exists():
        raise ValidationError(_("This school already has a bell schedule."), code="exists")
    slots = LessonSlot.objects.bulk_create(default_bell_schedule(school, last_lesson=last_lesson))
    cache.bump(cache.config_scope(school.pk))  # bulk writes send no signals
    _record_created(actor, school, slots)
    return slots


def _record_created(actor: User | None, school: School, instances) -> None:
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


# --- the year close: the freeze and the principal's corrections (L-10, L-12) -------------


def ensure_year_open(
    *,
    actor: User | None,
    school_id: int | None = None,
    day: datetime.date | None = None,
    school_year_id: int | None = None,
    term_id: int | None = None,
) -> None:
    """Refuse a change to the register of a closed school year: the one guard every
    journal's write service calls (grades, attendance and topics, behaviour grades and
    notes) before it writes.

    The year is the one with ``school_year_id``, the one of the term ``term_id``, or
    the school's year that contains ``day``. A closed year accepts changes only from the
    principal who opened a documented correction (``school_year_correction_open``), until
    the year is closed again. ``actor=None`` (the system: a command, the demo) is refused
    like anyone: a closed year is frozen for everyone. One query.
    """
    years = SchoolYear.objects.all()
    if school_year_id is not None:
        years = years.filter(pk=school_year_id)
    elif term_id is not None:
        years = years.filter(terms=term_id)
    elif school_id is not None and day is not None:
        years = years.filter(school_id=school_id, start_date__lte=day, end_date__gte=day)
    else:
        raise TypeError("ensure_year_open needs school_year_id, term_id, or school_id and day")
    row = years.filter(closed_at__isnull=False).values("name", "correction_by_id").first()
    if row is None:
        return
    if actor is not None and row["correction_by_id"] == actor.pk:
        return
    raise ValidationError(
        _(
            "The school year %(name)s is closed and archived: its register can no longer be "
            "changed. The principal may open a documented correction."
        )
        % {"name": row["name"]},
        code="year_closed",
    )


def _require_principal(actor: User | None, school_id: int) -> None:
    if actor is None:
        return
    viewer = get_viewer(actor)
    if not (viewer.is_principal and viewer.school_id == school_id):
        raise PermissionDenied


@transaction.atomic
def school_year_close(*, actor: User | None, school_year: SchoolYear) -> SchoolYear:
    """Close (freeze) the school year; closing it again ends an open correction.

    Only the school's principal (or the system). The archive (``dziennik.archive``) is
    written from the frozen register afterwards."""
    _require_principal(actor, school_year.school_id)
    year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    before = snapshot(year, fields=["closed_at", "closed_by", "correction_by", "correction_reason"])
    year.closed_at = timezone.now()
    year.closed_by = actor if getattr(actor, "pk", None) else None
    year.correction_by = None
    year.correction_reason = ""
    year.save(update_fields=["closed_at", "closed_by", "correction_by", "correction_reason"])
    record_update(actor=actor, instance=year, before=before)
    school_year.refresh_from_db()
    return year


@transaction.atomic
def school_year_correction_open(*, actor: User, school_year: SchoolYear, reason: str) -> SchoolYear:
    """The principal's documented correction of a closed year: with a mandatory reason,
    recorded in the history, the principal (and only they) may change the year's register
    until the year is closed again, which writes a new signed archive."""
    _require_principal(actor, school_year.school_id)
    if actor is None:
        raise PermissionDenied
    reason = clean_text(reason)
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for the correction.")}, code="reason_required"
        )
    if len(reason) > 500:
        raise ValidationError({"reason": _("The reason is too long (at most 500 characters).")})
    year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    if year.closed_at is None:
        raise ValidationError(_("The school year is not closed."), code="year_open")
    before = snapshot(year, fields=["correction_by", "correction_reason"])
    year.correction_by = actor
    year.correction_reason = reason
    year.save(update_fields=["correction_by", "correction_reason"])
    record_update(actor=actor, instance=year, before=before)
    school_year.refresh_from_db()
    return year
