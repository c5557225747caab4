"""The lucky number's draw and settings (C-07).

The number of a school day is drawn on its first view (``lucky_number_of_day``) or by
the morning task (``tasks.lucky_numbers_draw``), whichever comes first: the unique
constraint on (school, date) makes a second, simultaneous draw give way to the first.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from dziennik.core import audit
from dziennik.core.cache import cached, config_scope
from dziennik.core.text import field_choice
from dziennik.schools.calendar import is_lesson_day
from dziennik.schools.models import Enrolment, School
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import get_viewer

from . import permissions
from .models import LuckyNumber, LuckySettings

_random = secrets.SystemRandom()


def settings_of(school_id: int) -> LuckySettings:
    """The school's settings, or the defaults (unsaved: on, fair)."""
    found = LuckySettings.objects.filter(school_id=school_id).first()
    return found or LuckySettings(school_id=school_id)


def numbers_in_use(school_id: int, day: datetime.date) -> list[int]:
    """The journal numbers of the students in the school's classes of the year of ``day``
    (C-07: a drawn number matches a student's number in a class list)."""
    year = current_school_year(school_id, day)
    if year is None:
        return []
    return sorted(
        set(
            Enrolment.objects.filter(
                school_class__school_id=school_id,
                school_class__school_year=year,
                end_date__isnull=True,
            ).values_list("journal_number", flat=True)
        )
    )


def _choose(school_id: int, day: datetime.date, pool: list[int], fair: bool) -> tuple[int, int]:
    """The number and its round: in a fair draw, one not yet drawn in the current round
    (a new round once every number of the pool has been drawn)."""
    last = LuckyNumber.objects.filter(school_id=school_id, date__lt=day).order_by("-date").first()
    round_ = last.round if last else 1
    if not fair:
        return _random.choice(pool), round_
    drawn = set(
        LuckyNumber.objects.filter(school_id=school_id, round=round_).values_list(
            "number", flat=True
        )
    )
    remaining = [n for n in pool if n not in drawn]
    if not remaining:
        round_ += 1
        remaining = pool
    return _random.choice(remaining), round_


def lucky_number_draw(
    *, school_id: int, day: datetime.date, settings: LuckySettings | None = None
) -> LuckyNumber | None:
    """The lucky number of ``day``, drawn now if it has not been: ``None`` when the school
    has switched it off, on a weekend or a day off (C-07: school days only), or when no
    student has a number. Safe to call twice and concurrently: one number a day."""
    settings = settings or settings_of(school_id)
    if not settings.enabled:
        return None
    found = LuckyNumber.objects.filter(school_id=school_id, date=day).first()
    if found is not None:
        return found
    if not is_lesson_day(School(pk=school_id), day):
        return None
    pool = numbers_in_use(school_id, day)
    if not pool:
        return None
    number, round_ = _choose(school_id, day, pool, settings.mode == LuckySettings.Mode.FAIR)
    try:
        with transaction.atomic():
            # Drawn by the register itself, not by a person, and no record of a student:
            # the row (day, number, round) is its own record, not the history's. (A view
            # of the home page writing history would also make the demo school
            # impossible to reset, ``manage.py demo --reset``.)
            drawn = LuckyNumber.objects.create(
                school_id=school_id, date=day, number=number, round=round_
            )
    except IntegrityError:
        # Another request drew it a moment ago: theirs stands.
        return LuckyNumber.objects.get(school_id=school_id, date=day)
    return drawn


def lucky_number_of_day(school_id: int, day: datetime.date | None = None) -> int | None:
    """The number to show for ``day`` (today by default), drawn on first view; kept in
    the cache under the school's configuration (the settings, the days off and the
    classes' lists are configuration), so a home page asks the database once a day
    (two queries once the number is drawn: the settings and the number)."""
    day = day or timezone.localdate()

    def build() -> tuple[int | None]:
        drawn = lucky_number_draw(school_id=school_id, day=day)
        return (drawn.number if drawn else None,)

    return cached(f"lucky:{school_id}:{day.isoformat()}", [config_scope(school_id)], build)[0]


@transaction.atomic
def lucky_settings_update(*, actor, enabled: bool, mode: str) -> LuckySettings:
    """Switch the draw on or off and choose how it draws (the principal or deputy)."""
    viewer = get_viewer(actor)
    if not permissions.manages_settings(viewer):
        raise Http404
    mode = field_choice(LuckySettings, "mode", mode)
    settings = settings_of(viewer.school_id)
    if settings.pk is None:
        settings.enabled, settings.mode = bool(enabled), mode
        settings.save()
        audit.record_create(actor=actor, instance=settings)
        return settings
    before = audit.snapshot(settings, fields=["enabled", "mode"])
    settings.enabled, settings.mode = bool(enabled), mode
    settings.save()
    audit.record_update(actor=actor, instance=settings, before=before)
    return settings
