"""The school's attendance configuration as the register reads it: its settings, its
attendance kinds, the school year and terms. Each is kept in the cache until the
school's configuration changes (``core.cache.config_scope``). Below the selectors and
the permissions, which both read it."""

from __future__ import annotations

import datetime

from django.db.models import Subquery

from dziennik.core.cache import cached, config_scope
from dziennik.schools import selectors as school_selectors
from dziennik.schools.models import SchoolYear, Term

from .models import AttendanceKind, AttendanceSettings

Base = AttendanceKind.Base


def settings_for(school_id: int) -> AttendanceSettings:
    """The school's attendance settings (defaults when the school never changed them),
    kept until the configuration changes."""
    return cached(
        f"attendance-settings:{school_id}",
        [config_scope(school_id)],
        lambda: (
            AttendanceSettings.objects.filter(school_id=school_id).first()
            or AttendanceSettings(school_id=school_id)
        ),
    )


def kinds_by_id(school_id: int) -> dict[int, AttendanceKind]:
    """The school's attendance kinds by id (kept until the configuration changes)."""
    return cached(
        f"attendance-kinds:{school_id}",
        [config_scope(school_id)],
        lambda: {k.pk: k for k in AttendanceKind.objects.filter(school_id=school_id)},
    )


def active_kinds(kinds: dict[int, AttendanceKind]) -> list[AttendanceKind]:
    return sorted((k for k in kinds.values() if k.is_active), key=lambda k: (k.order, k.code))


def default_kind(kinds: dict[int, AttendanceKind]) -> AttendanceKind:
    """The kind every student starts with: present."""
    for kind in active_kinds(kinds):
        if kind.base == Base.PRESENT:
            return kind
    raise LookupError("The school has no 'present' attendance kind.")


def year_and_terms(school_id: int, day: datetime.date) -> tuple[SchoolYear | None, list[Term]]:
    """The school year running on ``day`` and its terms in order (kept until the
    configuration changes)."""
    return cached(
        f"year-and-terms:{school_id}:{day.isoformat()}",
        [config_scope(school_id)],
        lambda: year_and_terms_uncached(school_id, day),
    )


def year_and_terms_uncached(
    school_id: int, day: datetime.date
) -> tuple[SchoolYear | None, list[Term]]:
    """What ``year_and_terms`` keeps, read from the database every time: for a reader
    that keeps it in an entry of its own (``selectors.page_setup``), so that it is not
    kept twice. One query when the year has terms; the year alone is looked up only
    when it has none."""
    year_id = (
        SchoolYear.objects.filter(school_id=school_id, start_date__lte=day, end_date__gte=day)
        .order_by("-start_date")
        .values("pk")[:1]
    )
    terms = list(
        Term.objects.filter(school_year_id=Subquery(year_id))
        .select_related("school_year")
        .order_by("number")
    )
    if terms:
        return terms[0].school_year, terms
    return school_selectors.current_school_year(school_id, day), []
