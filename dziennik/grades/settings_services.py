"""Writes to the school's grading rule tables: grade categories (*kategorie ocen*, G-04),
special marks (*oceny specjalne*, G-06), the point scale (*skala punktowa*, G-09) and
the average thresholds (*progi średnich*, G-05).

Every service takes the actor, checks through ``permissions`` that they may manage the
rules, runs in one transaction, records each changed row in the history
(``dziennik.core.audit``), and brings what depends on the change along: the stored
values of grades and the stored averages (``StudentAverage``) are recomputed by a task
queued when the change commits (``tasks.grades_recompute_school``).

Why after the commit and not in the principal's request: ``bench/rules_recompute.py``
measures a school-wide recompute on the scaled demo school (1,024 students, 104,000
grades) at about 15 s (14 queries; 77 s before it skipped the grades whose value did not
move), against 0.2 s for the rest of a weight change. That is too long for a request
that also holds the school's rules lock. The stored averages only feed class and year
statistics (a student's own page always recomputes from the grades), so for the task's
duration those statistics are at worst a rule change behind; the grades themselves are
never wrong.

A form that edits shared rows sends the ``version`` it was based on; a save based on an
older version is refused with ``StaleRules`` instead of silently overwriting someone
else's change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.utils import formats
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, cache, contrast
from dziennik.core.concurrency import StaleEdit
from dziennik.core.text import clean_text
from dziennik.schools.models import School
from dziennik.schools.viewer import Viewer, get_viewer

from . import permissions, selectors, services, settings_selectors, tasks
from .models import (
    Assessment,
    AverageThreshold,
    GradeCategory,
    PointScaleStep,
    ScaleGradeName,
    SpecialMark,
)
from .rules import InvalidGrade, Rules, normalize_symbol

CENT = Decimal("0.01")
MAX_WEIGHT = Decimal(100)
MAX_GRADE = Decimal(6)
MAX_CONVERT_COUNT = 50
THRESHOLD_GRADES = (2, 3, 4, 5, 6)
CATEGORY_FIELDS = (
    "name",
    "weight",
    "colour",
    "counts_towards_average",
    "is_homework",
    "is_active",
)
# A change of these changes what grades count for (their columns' averages).
CATEGORY_AVERAGE_FIELDS = ("weight", "counts_towards_average")
MARK_FIELDS = (
    "symbol",
    "name",
    "rule",
    "value",
    "convert_count",
    "converted_weight",
    "is_homework",
)
# A change of these changes the value of every grade written with the mark.
MARK_VALUE_FIELDS = ("rule", "value", "convert_count", "converted_weight")
Rule = SpecialMark.Rule


class StaleRules(StaleEdit):
    """The form was based on rows someone else has changed since."""


# --- shared checks -----------------------------------------------------------------
def _manager(actor: User) -> Viewer:
    """The actor's viewer, when they may manage their school's grading rules."""
    viewer = get_viewer(actor)
    if not permissions.can_manage_rules(viewer):
        raise PermissionDenied
    return viewer


def _lock_school(school_id: int) -> None:
    """Serialise the writes to one school's rule tables, so that the rules checked over
    a whole table (distinct names, rising thresholds, one active category) hold after
    concurrent edits. ``no_key``: other rows may still refer to the school meanwhile."""
    list(School.objects.select_for_update(no_key=True).filter(pk=school_id).only("pk"))


def _check_version(expected: str | None, current: str) -> None:
    if expected is not None and expected != current:
        raise StaleRules(
            _(
                "Someone else changed these rules while you were editing them. The page "
                "now shows what is saved; check your changes and save again."
            )
        )


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _decimal(value) -> Decimal | None:
    """``value`` as a finite ``Decimal`` rounded to two places, or None."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number.quantize(CENT) if number.is_finite() else None


def _number(value: Decimal) -> str:
    return formats.number_format(value.normalize(), use_l10n=True)


def _recompute(school_id: int) -> None:
    """Grades' stored values and the stored averages follow the new rules once this
    change commits (see the module's docstring)."""
    tasks.recompute_school_later(school_id)


def _save(instance, **kwargs) -> None:
    """Save, turning a lost race on a unique name or symbol into a clear message."""
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError(
            _("Another change to the grading rules was saved at the same time. Try again.")
        ) from exc


def colour_error(colour: str) -> str | None:
    """Why ``colour`` (``#rrggbb``) may not be used for text on white, or None."""
    ratio = contrast.contrast_ratio(colour)
    if ratio >= contrast.AA_NORMAL_TEXT:
        return None
    return _(
        "The colour %(colour)s has a contrast ratio of only %(ratio)s:1 against the white "
        "page. WCAG 2.1 level AA requires at least 4.5:1; choose a darker colour."
    ) % {"colour": colour, "ratio": formats.number_format(contrast.shown_ratio(ratio), 2)}


# --- the usual rules for a school without them --------------------------------------
@transaction.atomic
def grading_rules_setup(*, actor: User) -> int:
    """Give the actor's school the usual statute defaults (categories, special marks,
    point scale, thresholds) where a table is empty; every row made is in the history.
    Returns how many rows were made."""
    viewer = _manager(actor)
    _lock_school(viewer.school_id)
    school = School.objects.get(pk=viewer.school_id)
    tables = (GradeCategory, SpecialMark, PointScaleStep, AverageThreshold)
    before = {
        model: set(model.objects.filter(school=school).values_list("pk", flat=True))
        for model in tables
    }
    services.grading_setup_defaults(school=school, actor=actor)
    entries = []
    for model in tables:
        for row in model.objects.filter(school=school).exclude(pk__in=before[model]):
            changes = {name: [None, value] for name, value in audit.snapshot(row).items()}
            entries.append(
                audit.build_entry(actor=actor, instance=row, action="create", changes=changes)
            )
    audit.record_many(entries)
    # bulk_create sends no signals: move the configuration's version here
    cache.bump(cache.config_scope(school.pk))
    return len(entries)


# --- grade categories ---------------------------------------------------------------
def _category_errors(category: GradeCategory, others: list[GradeCategory]) -> dict[str, list[str]]:
    """Check and normalise ``category`` as it would be saved; ``others`` are the
    school's other categories."""
    errors: dict[str, list[str]] = {}
    category.name = " ".join(clean_text(category.name).split())
    if not category.name:
        _add(errors, "name", _("Enter a name."))
    elif len(category.name) > 60:
        _add(errors, "name", _("The name is too long (at most 60 characters)."))
    elif any(o.name.casefold() == category.name.casefold() for o in others):
        _add(
            errors,
            "name",
            _("The school already has a category named “%(name)s”.") % {"name": category.name},
        )
    weight = _decimal(category.weight)
    if weight is None or not Decimal(0) <= weight <= MAX_WEIGHT:
        _add(errors, "weight", _("The weight must be between 0 and 100."))
    else:
        category.weight = weight
    colour = contrast.normalise_hex(category.colour)
    if colour is None:
        _add(errors, "colour", _("Enter the colour as #rrggbb, e.g. #1e6b35."))
    else:
        category.colour = colour
        problem = colour_error(colour)
        if problem:
            _add(errors, "colour", problem)
    category.counts_towards_average = bool(category.counts_towards_average)
    category.is_homework = bool(category.is_homework)
    category.is_active = bool(category.is_active)
    if not category.is_active and not any(o.is_active for o in others):
        _add(errors, "is_active", _needs_active_category())
    return errors


@transaction.atomic
def grade_category_create(
    *,
    actor: User,
    name: str,
    weight: Decimal,
    colour: str,
    counts_towards_average: bool = True,
    is_homework: bool = False,
    is_active: bool = True,
) -> GradeCategory:
    """Add a category of grades (e.g. "Praca klasowa", weight 3) to the school."""
    viewer = _manager(actor)
    _lock_school(viewer.school_id)
    others = list(GradeCategory.objects.filter(school_id=viewer.school_id))
    category = GradeCategory(
        school_id=viewer.school_id,
        name=name,
        weight=weight,
        colour=colour,
        counts_towards_average=counts_towards_average,
        is_homework=is_homework,
        is_active=is_active,
    )
    errors = _category_errors(category, others)
    if errors:
        raise ValidationError(errors)
    _save(category)
    audit.record_create(actor=actor, instance=category)
    return category


def _locked_category(viewer: Viewer, category: GradeCategory) -> GradeCategory:
    if not permissions.grade_categories.allows(viewer, "manage", category):
        raise PermissionDenied
    _lock_school(viewer.school_id)
    current = (
        GradeCategory.objects.select_for_update()
        .filter(pk=category.pk, school_id=viewer.school_id)
        .first()
    )
    if current is None:
        raise PermissionDenied
    return current


@transaction.atomic
def grade_category_update(
    *,
    actor: User,
    category: GradeCategory,
    version: str | None = None,
    weight_to_columns: bool = True,
    **changes,
) -> GradeCategory:
    """Change a category: name, weight, colour, counting, homework, active.

    A new weight is the weight of the category's future columns, and, with
    ``weight_to_columns``, also of its existing columns that still have the category's
    weight (those a teacher gave another weight keep it); each such column's change is
    in the history. When what counts changes (those columns' weight, or whether the
    category counts towards the average), the stored averages are recomputed.
    """
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown grade category fields: {sorted(unknown)}")
    viewer = _manager(actor)
    current = _locked_category(viewer, category)
    _check_version(version, settings_selectors.category_version(current))
    others = list(GradeCategory.objects.filter(school_id=viewer.school_id).exclude(pk=current.pk))
    before = audit.snapshot(current)
    old_weight = current.weight
    for name, value in changes.items():
        setattr(current, name, value)
    errors = _category_errors(current, others)
    if errors:
        raise ValidationError(errors)
    after = audit.snapshot(current)
    fields = [f for f in after if after[f] != before[f]]
    if not fields:
        return current
    _save(current, update_fields=fields)
    audit.record_update(actor=actor, instance=current, before=before)
    moved = 0
    if "weight" in fields and weight_to_columns:
        moved = _columns_follow(actor, current, old_weight)
    if "counts_towards_average" in fields or moved:
        _recompute(current.school_id)
    return current


def _columns_follow(actor: User, category: GradeCategory, old_weight: Decimal) -> int:
    """The category's columns with its old weight take the new one, each recorded."""
    columns = list(
        Assessment.objects.select_for_update()
        .filter(category=category, weight=old_weight)
        .order_by("pk")
    )
    if not columns:
        return 0
    entries = []
    for column in columns:
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=column,
                action="update",
                changes={"weight": [str(column.weight), str(category.weight)]},
                school_class_id=column.school_class_id,
                object_repr=f"{column.name} ({column.date:%d.%m.%Y})",
            )
        )
        column.weight = category.weight
    Assessment.objects.bulk_update(columns, ["weight"], batch_size=1000)
    audit.record_many(entries)
    return len(columns)


@transaction.atomic
def grade_category_delete(*, actor: User, category: GradeCategory) -> None:
    """Delete a category no column has; a used one can only be deactivated."""
    viewer = _manager(actor)
    current = _locked_category(viewer, category)
    if Assessment.objects.filter(category=current).exists():
        raise ValidationError(_category_used(current))
    others = GradeCategory.objects.filter(school_id=viewer.school_id).exclude(pk=current.pk)
    if current.is_active and not others.filter(is_active=True).exists():
        raise ValidationError(_needs_active_category())
    audit.record_delete(actor=actor, instance=current)
    try:
        current.delete()
    except RestrictedError as exc:  # a column written despite the lock (not on PostgreSQL)
        raise ValidationError(_category_used(current)) from exc


def _needs_active_category() -> str:
    return _(
        "The school must keep at least one active category: teachers choose one for every "
        "new column."
    )


def _category_used(category: GradeCategory) -> str:
    return _(
        "The category “%(name)s” has columns in the gradebook, so it cannot be deleted; "
        "deactivate it instead."
    ) % {"name": category.name}


# --- special marks ------------------------------------------------------------------
def _mark_errors(mark: SpecialMark, others: list[SpecialMark]) -> dict[str, list[str]]:
    """Check and normalise ``mark`` as it would be saved."""
    errors: dict[str, list[str]] = {}
    mark.symbol = normalize_symbol(clean_text(mark.symbol))
    if not mark.symbol or len(mark.symbol) > 5:
        _add(errors, "symbol", _("Enter a symbol of 1 to 5 characters, e.g. np."))
    elif Rules().value_of(mark.symbol) is not None:
        _add(
            errors,
            "symbol",
            _("“%(symbol)s” is a grade (1–6 with + or -), so it cannot be a special mark.")
            % {"symbol": mark.symbol},
        )
    elif any(o.symbol == mark.symbol for o in others):
        _add(
            errors,
            "symbol",
            _("The school already has the special mark “%(symbol)s”.") % {"symbol": mark.symbol},
        )
    mark.name = " ".join(clean_text(mark.name).split())
    if not mark.name:
        _add(errors, "name", _("Enter what the mark means."))
    elif len(mark.name) > 60:
        _add(errors, "name", _("The meaning is too long (at most 60 characters)."))
    if mark.rule not in Rule.values:
        _add(errors, "rule", _("Choose how the mark counts."))
    value = _decimal(mark.value)
    if mark.rule == Rule.IGNORED:
        mark.value, mark.convert_count = None, None
    elif value is None or not Decimal(0) <= value <= MAX_GRADE:
        _add(errors, "value", _("Enter the value it counts as, from 0 to 6 (e.g. 5 or 4.5)."))
    else:
        mark.value = value
    if mark.rule == Rule.CONVERTED:
        count = mark.convert_count
        if (
            not isinstance(count, int)
            or isinstance(count, bool)
            or not 1 <= count <= MAX_CONVERT_COUNT
        ):
            _add(
                errors,
                "convert_count",
                _("Enter how many of them make one grade (1 to %(max)s).")
                % {"max": MAX_CONVERT_COUNT},
            )
    elif mark.rule == Rule.VALUE:
        mark.convert_count = None
    weight = _decimal(mark.converted_weight)
    if weight is None or not Decimal(0) <= weight <= MAX_WEIGHT:
        _add(errors, "converted_weight", _("The weight must be between 0 and 100."))
    else:
        mark.converted_weight = weight
    mark.is_homework = bool(mark.is_homework)
    return errors


@transaction.atomic
def special_mark_create(
    *,
    actor: User,
    symbol: str,
    name: str,
    rule: str = Rule.IGNORED,
    value: Decimal | None = None,
    convert_count: int | None = None,
    converted_weight: Decimal = Decimal(1),
    is_homework: bool = False,
) -> SpecialMark:
    """Add a special mark of the school's statute (e.g. "nk", nieklasyfikowany z
    kartkówki, not counted)."""
    viewer = _manager(actor)
    _lock_school(viewer.school_id)
    others = list(SpecialMark.objects.filter(school_id=viewer.school_id))
    mark = SpecialMark(
        school_id=viewer.school_id,
        symbol=symbol,
        name=name,
        rule=rule,
        value=value,
        convert_count=convert_count,
        converted_weight=converted_weight,
        is_homework=is_homework,
    )
    errors = _mark_errors(mark, others)
    if errors:
        raise ValidationError(errors)
    _save(mark)
    audit.record_create(actor=actor, instance=mark)
    return mark


def _locked_mark(viewer: Viewer, mark: SpecialMark) -> SpecialMark:
    if not permissions.special_marks.allows(viewer, "manage", mark):
        raise PermissionDenied
    _lock_school(viewer.school_id)
    current = (
        SpecialMark.objects.select_for_update()
        .filter(pk=mark.pk, school_id=viewer.school_id)
        .first()
    )
    if current is None:
        raise PermissionDenied
    return current


@transaction.atomic
def special_mark_update(
    *, actor: User, mark: SpecialMark, version: str | None = None, **changes
) -> SpecialMark:
    """Change a special mark. Grades written with it keep their symbol, so a used mark's
    symbol is fixed; a new rule or value re-values those grades and the stored averages.
    """
    unknown = set(changes) - set(MARK_FIELDS)
    if unknown:
        raise ValueError(f"Unknown special mark fields: {sorted(unknown)}")
    viewer = _manager(actor)
    current = _locked_mark(viewer, mark)
    _check_version(version, settings_selectors.mark_version(current))
    others = list(SpecialMark.objects.filter(school_id=viewer.school_id).exclude(pk=current.pk))
    before = audit.snapshot(current)
    old_symbol = current.symbol
    for name, value in changes.items():
        setattr(current, name, value)
    errors = _mark_errors(current, others)
    used = settings_selectors.mark_is_used(viewer.school_id, old_symbol)
    if used and current.symbol != old_symbol and "symbol" not in errors:
        _add(
            errors,
            "symbol",
            _(
                "Grades have already been written with “%(symbol)s”, so its symbol cannot "
                "change. Add a new mark instead."
            )
            % {"symbol": old_symbol},
        )
    if errors:
        raise ValidationError(errors)
    after = audit.snapshot(current)
    fields = [f for f in after if after[f] != before[f]]
    if not fields:
        return current
    _save(current, update_fields=fields)
    audit.record_update(actor=actor, instance=current, before=before)
    if used and set(fields) & set(MARK_VALUE_FIELDS):
        _recompute(current.school_id)
    return current


@transaction.atomic
def special_mark_delete(*, actor: User, mark: SpecialMark) -> None:
    """Delete a special mark no grade has: without it, those grades would be invalid."""
    viewer = _manager(actor)
    current = _locked_mark(viewer, mark)
    if settings_selectors.mark_is_used(viewer.school_id, current.symbol):
        raise ValidationError(
            _(
                "Grades have already been written with “%(symbol)s”, so the mark cannot be "
                "deleted: those grades would lose their meaning."
            )
            % {"symbol": current.symbol}
        )
    audit.record_delete(actor=actor, instance=current)
    current.delete()


# --- tables: the point scale and the average thresholds ------------------------------
def _record_table(
    actor: User,
    *,
    created: Sequence,
    updated: Sequence[tuple[object, dict]],
    deleted: Sequence,
) -> None:
    """One history entry per row made, changed (with its snapshot before) or removed."""
    entries = [
        audit.build_entry(
            actor=actor,
            instance=row,
            action="create",
            changes={k: [None, v] for k, v in audit.snapshot(row).items()},
        )
        for row in created
    ]
    for row, before in updated:
        after = audit.snapshot(row, fields=before.keys())
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=row,
                action="update",
                changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
            )
        )
    entries += [
        audit.build_entry(
            actor=actor,
            instance=row,
            action="delete",
            changes={k: [v, None] for k, v in audit.snapshot(row).items()},
        )
        for row in deleted
    ]
    audit.record_many(entries)


@transaction.atomic
def point_scale_set(
    *,
    actor: User,
    steps: Sequence[tuple[Decimal, str]],
    version: str | None = None,
) -> list[PointScaleStep]:
    """Replace the school's point scale (G-09): ``(from percent, grade)`` pairs.

    The scale starts at 0%, and a higher percentage never gives a lower grade. The
    grades of points columns are re-valued and the stored averages recomputed.
    """
    viewer = _manager(actor)
    school_id = viewer.school_id
    _lock_school(school_id)
    existing = list(PointScaleStep.objects.filter(school_id=school_id).order_by("min_percent"))
    _check_version(version, settings_selectors.table_version(existing))
    wanted = _point_scale_wanted(selectors.load_rules(school_id), steps)
    return _point_scale_write(actor, school_id, existing, wanted)


def _point_scale_wanted(rules, steps: Sequence[tuple[Decimal, str]]) -> dict[Decimal, str]:
    """The checked steps as ``{from percent: grade}``, or ``ValidationError`` naming every
    bad step: percentages 0–100, real grades, the scale from 0%, never lower for more."""
    errors: list[str] = []
    wanted: dict[Decimal, str] = {}
    values: dict[Decimal, Decimal] = {}
    for raw_percent, raw_symbol in steps:
        percent = _decimal(raw_percent)
        symbol = normalize_symbol(raw_symbol)
        if percent is None or not Decimal(0) <= percent <= Decimal(100):
            errors.append(_("A step's percentage must be between 0 and 100."))
            continue
        try:
            _symbol, value, mark = rules.parse(symbol)
        except InvalidGrade:
            value, mark = None, None
        if value is None or mark is not None:
            errors.append(
                _("“%(symbol)s” (from %(percent)s%%) is not a grade: use 1–6 with + or -.")
                % {"symbol": raw_symbol, "percent": _number(percent)}
            )
            continue
        if percent in wanted:
            errors.append(
                _("Two steps start at %(percent)s%%: keep one.") % {"percent": _number(percent)}
            )
            continue
        wanted[percent] = symbol
        values[percent] = value
    if not errors:
        if not wanted:
            errors.append(_("Enter at least one step: from 0% the lowest grade."))
        elif min(wanted) != 0:
            errors.append(_("The scale must start at 0%: every result needs a grade."))
        ordered = sorted(wanted)
        for low, high in pairwise(ordered):
            if values[high] < values[low]:
                errors.append(
                    _(
                        "A higher percentage cannot give a lower grade: from %(low)s%% it is "
                        "%(low_grade)s, but from %(high)s%% only %(high_grade)s."
                    )
                    % {
                        "low": _number(low),
                        "low_grade": wanted[low],
                        "high": _number(high),
                        "high_grade": wanted[high],
                    }
                )
    if errors:
        raise ValidationError(errors)
    return wanted


def _point_scale_write(
    actor: User, school_id: int, existing: list[PointScaleStep], wanted: dict[Decimal, str]
) -> list[PointScaleStep]:
    """Write the difference between the stored scale and ``wanted``, with history; the
    points grades are re-valued in the background when the scale moved."""
    by_percent = {row.min_percent: row for row in existing}
    deleted = [row for percent, row in by_percent.items() if percent not in wanted]
    created, updated = [], []
    for percent, symbol in sorted(wanted.items()):
        row = by_percent.get(percent)
        if row is None:
            created.append(PointScaleStep(school_id=school_id, min_percent=percent, symbol=symbol))
        elif row.symbol != symbol:
            updated.append((row, audit.snapshot(row, fields=["symbol"])))
            row.symbol = symbol
    if not (created or updated or deleted):
        return existing
    _record_table(actor, created=[], updated=[], deleted=deleted)
    PointScaleStep.objects.filter(pk__in=[row.pk for row in deleted]).delete()
    PointScaleStep.objects.bulk_update([row for row, _before in updated], ["symbol"])
    PointScaleStep.objects.bulk_create(created)
    _record_table(actor, created=created, updated=updated, deleted=[])
    # bulk writes send no signals: move the configuration's version here
    cache.bump(cache.config_scope(school_id))
    if Assessment.objects.filter(school_id=school_id, kind=Assessment.Kind.POINTS).exists():
        _recompute(school_id)
    return list(PointScaleStep.objects.filter(school_id=school_id).order_by("min_percent"))


@transaction.atomic
def average_thresholds_set(
    *,
    actor: User,
    thresholds: Mapping[int, Decimal],
    version: str | None = None,
) -> list[AverageThreshold]:
    """Set the lowest average that suggests each grade 2–6 (G-05); below the threshold
    of 2 the suggestion is 1. Only suggestions follow: the teacher sets the grade, and
    nothing stored depends on the thresholds."""
    if set(thresholds) != set(THRESHOLD_GRADES):
        raise ValueError(f"Thresholds are for the grades {THRESHOLD_GRADES}")
    viewer = _manager(actor)
    school_id = viewer.school_id
    _lock_school(school_id)
    existing = list(AverageThreshold.objects.filter(school_id=school_id).order_by("grade"))
    _check_version(version, settings_selectors.table_version(existing))
    errors: dict[str, list[str]] = {}
    wanted: dict[int, Decimal] = {}
    for grade in THRESHOLD_GRADES:
        value = _decimal(thresholds[grade])
        if value is None or not Decimal(1) <= value <= MAX_GRADE:
            _add(errors, f"grade_{grade}", _("Enter an average from 1 to 6, e.g. 2.75."))
        else:
            wanted[grade] = value
    for grade in THRESHOLD_GRADES[1:]:
        if grade in wanted and grade - 1 in wanted and wanted[grade] <= wanted[grade - 1]:
            _add(
                errors,
                f"grade_{grade}",
                _(
                    "The threshold for %(grade)s must be higher than the one for %(lower)s "
                    "(%(value)s)."
                )
                % {"grade": grade, "lower": grade - 1, "value": _number(wanted[grade - 1])},
            )
    if errors:
        raise ValidationError(errors)
    by_grade = {row.grade: row for row in existing}
    created, updated = [], []
    for grade, value in wanted.items():
        row = by_grade.get(grade)
        if row is None:
            created.append(AverageThreshold(school_id=school_id, grade=grade, min_average=value))
        elif row.min_average != value:
            updated.append((row, audit.snapshot(row, fields=["min_average"])))
            row.min_average = value
    if created or updated:
        AverageThreshold.objects.bulk_update([row for row, _before in updated], ["min_average"])
        AverageThreshold.objects.bulk_create(created)
        _record_table(actor, created=created, updated=updated, deleted=[])
        cache.bump(cache.config_scope(school_id))
    return list(AverageThreshold.objects.filter(school_id=school_id).order_by("grade"))


@transaction.atomic
def scale_names_set(*, actor: User, names: Mapping[int, tuple[str, str]]) -> list[ScaleGradeName]:
    """The names and abbreviations of the grades 1–6 as the school writes them (G-01):
    every grade needs both, and no two grades may share a name or an abbreviation."""
    if set(names) != set(range(1, 7)):
        raise ValueError("Names are for the grades 1–6")
    viewer = _manager(actor)
    school_id = viewer.school_id
    _lock_school(school_id)
    errors: dict[str, list[str]] = {}
    wanted: dict[int, tuple[str, str]] = {}
    for grade in range(6, 0, -1):
        name = clean_text(names[grade][0])[:40]
        abbreviation = clean_text(names[grade][1])[:8]
        if not name or not abbreviation:
            _add(errors, f"name_{grade}", _("Enter the name and the abbreviation."))
            continue
        wanted[grade] = (name, abbreviation)
    for index in (0, 1):
        seen: dict[str, int] = {}
        for grade, pair in wanted.items():
            key = pair[index].lower()
            if key in seen:
                _add(errors, f"name_{grade}", _("Two grades cannot have the same name."))
            seen[key] = grade
    if errors:
        raise ValidationError(errors)
    existing = {row.grade: row for row in ScaleGradeName.objects.filter(school_id=school_id)}
    created, updated = [], []
    for grade, (name, abbreviation) in wanted.items():
        row = existing.get(grade)
        if row is None:
            created.append(
                ScaleGradeName(
                    school_id=school_id, grade=grade, name=name, abbreviation=abbreviation
                )
            )
        elif (row.name, row.abbreviation) != (name, abbreviation):
            updated.append((row, audit.snapshot(row, fields=["name", "abbreviation"])))
            row.name, row.abbreviation = name, abbreviation
    if created or updated:
        ScaleGradeName.objects.bulk_update([row for row, _b in updated], ["name", "abbreviation"])
        ScaleGradeName.objects.bulk_create(created)
        _record_table(actor, created=created, updated=updated, deleted=[])
        cache.bump(cache.config_scope(school_id))
    return sorted(ScaleGradeName.objects.filter(school_id=school_id), key=lambda r: -r.grade)
