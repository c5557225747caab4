"""The school's grading rules from its statute: defaults for a new school, the
principal's changes (which re-value the stored grades and averages).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dziennik.accounts.models import User
from dziennik.core import audit, cache, concurrency
from dziennik.schools.models import School
from dziennik.schools.viewer import get_viewer

from .. import permissions
from ..models import (
    AverageThreshold,
    GradeCategory,
    GradingSettings,
    PointScaleStep,
    ScaleGradeName,
    SpecialMark,
)
from ..rules import DEFAULT_SCALE_NAMES
from .averages import recompute_school

DEFAULT_CATEGORIES = [
    # name, weight, colour, counts, homework
    ("Sprawdzian", "3", "#b00020", True, False),
    ("Kartkówka", "2", "#8a4b00", True, False),
    ("Odpowiedź ustna", "2", "#1e6b35", True, False),
    ("Projekt", "2", "#5b2a86", True, False),
    ("Aktywność", "1", "#0b5cad", True, False),
    ("Praca domowa", "1", "#4a5560", True, True),
    ("Próbny egzamin", "1", "#1b1f24", False, False),
]
DEFAULT_MARKS = [
    # symbol, name, rule, value, convert_count, homework
    ("np", "nieprzygotowany", SpecialMark.Rule.IGNORED, None, None, False),
    ("bz", "brak zadania", SpecialMark.Rule.IGNORED, None, None, True),
    ("nb", "nieobecny", SpecialMark.Rule.IGNORED, None, None, False),
    ("0", "nie pisał", SpecialMark.Rule.IGNORED, None, None, False),
    ("+", "plus za aktywność", SpecialMark.Rule.CONVERTED, Decimal(5), 3, False),
    ("-", "minus za aktywność", SpecialMark.Rule.CONVERTED, Decimal(1), 3, False),
]
DEFAULT_POINT_SCALE = [("0", "1"), ("30", "2"), ("50", "3"), ("75", "4"), ("90", "5"), ("100", "6")]
DEFAULT_THRESHOLDS = [(1, "0"), (2, "1.75"), (3, "2.75"), (4, "3.75"), (5, "4.75"), (6, "5.75")]


# --- the school's rules -----------------------------------------------------------------
@transaction.atomic
def grading_setup_defaults(*, school: School, actor: User | None = None) -> GradingSettings:
    """Give a school the usual statute defaults (idempotent: existing rows are kept).

    Recorded in the history when a person (``actor``) caused it; the demo and new-school
    setup run it as the system, like the rest of their generated data.
    """
    grading, created = GradingSettings.objects.get_or_create(school=school)
    entries = []
    if created and actor is not None:
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=grading,
                action="create",
                changes={k: [None, v] for k, v in audit.snapshot(grading).items()},
            )
        )
    if not GradeCategory.objects.filter(school=school).exists():
        objs = GradeCategory.objects.bulk_create(
            GradeCategory(
                school=school,
                name=name,
                weight=Decimal(weight),
                colour=colour,
                counts_towards_average=counts,
                is_homework=homework,
            )
            for name, weight, colour, counts, homework in DEFAULT_CATEGORIES
        )
        del objs
    if not ScaleGradeName.objects.filter(school=school).exists():
        ScaleGradeName.objects.bulk_create(
            ScaleGradeName(school=school, grade=grade, name=name, abbreviation=abbreviation)
            for grade, (name, abbreviation) in DEFAULT_SCALE_NAMES.items()
        )
    if not SpecialMark.objects.filter(school=school).exists():
        SpecialMark.objects.bulk_create(
            SpecialMark(
                school=school,
                symbol=symbol,
                name=name,
                rule=rule,
                value=value,
                convert_count=count,
                is_homework=homework,
            )
            for symbol, name, rule, value, count, homework in DEFAULT_MARKS
        )
    if not PointScaleStep.objects.filter(school=school).exists():
        PointScaleStep.objects.bulk_create(
            PointScaleStep(school=school, min_percent=Decimal(p), symbol=s)
            for p, s in DEFAULT_POINT_SCALE
        )
    if not AverageThreshold.objects.filter(school=school).exists():
        AverageThreshold.objects.bulk_create(
            AverageThreshold(school=school, grade=g, min_average=Decimal(a))
            for g, a in DEFAULT_THRESHOLDS
        )
    if entries:
        audit.record_many(entries)
    cache.bump(cache.config_scope(school.pk))  # the bulk writes above sent no signals
    return grading


SETTINGS_FIELDS = (
    "plus_value",
    "minus_value",
    "correction_policy",
    "pass_threshold",
    "proposal_notice_days",
    "comparisons_enabled",
    "double_plus_value",
    "double_minus_value",
    "equals_value",
    "distinction_average",
    "distinction_behaviour",
    "unclassified_absence_percent",
)


def grading_settings_version(grading: GradingSettings | None) -> str:
    """What the school's grading settings form was based on (``""``: never saved)."""
    if grading is None or grading.pk is None:
        return ""
    return concurrency.version_of([grading], fields=SETTINGS_FIELDS)


@transaction.atomic
def grading_settings_update(
    *, actor: User, school_id: int, version: str | None = None, **changes
) -> GradingSettings:
    """The principal changes the school's rules; stored values and averages follow.
    ``version`` is the ``grading_settings_version`` the form showed: a form based on
    older settings is refused (``StaleEdit``)."""
    if not permissions.can_manage_rules(get_viewer(actor), school_id=school_id):
        raise PermissionDenied
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown settings: {sorted(unknown)}")
    grading = GradingSettings.objects.select_for_update().filter(school_id=school_id).first()
    concurrency.require_version(version, grading_settings_version(grading))
    if grading is None:
        grading = grading_setup_defaults(school=School.objects.get(pk=school_id), actor=actor)
    before = audit.snapshot(grading)
    for name, value in changes.items():
        setattr(grading, name, value)
    grading.full_clean()
    grading.save()
    audit.record_update(actor=actor, instance=grading, before=before)
    modifiers = {"plus_value", "minus_value", "double_plus_value", "double_minus_value"}
    if {*modifiers, "equals_value", "correction_policy"} & {
        k for k in changes if before[k] != audit.snapshot(grading)[k]
    }:
        recompute_school(school_id)
    return grading


def comparisons_switch(*, actor: User, school_id: int, enabled: bool) -> GradingSettings:
    """The principal's switch: show parents class and year averages (or not)."""
    return grading_settings_update(actor=actor, school_id=school_id, comparisons_enabled=enabled)
