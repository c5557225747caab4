"""The rules of attendance kinds (*kategorie frekwencji*): each field on its own, and
the rules over the school's whole set of kinds. Nothing here writes."""

from __future__ import annotations

import re

from django.utils import formats
from django.utils.translation import gettext as _

from dziennik.core import contrast
from dziennik.core.text import clean_text

from ..models import AttendanceKind, AttendanceMark
from .base import add_error as _add

Base = AttendanceKind.Base
Counts = AttendanceKind.Counts

# The bases whose marks a justification can excuse, and the bases they turn into.
JUSTIFIABLE_BASES = frozenset({Base.ABSENT, Base.LATE})
EXCUSED_BASES = frozenset({Base.ABSENT_EXCUSED, Base.LATE_EXCUSED})

KIND_FIELDS = (
    "name",
    "base",
    "counts_as",
    "shortcut",
    "colour",
    "order",
    "is_active",
    "excused_kind_id",
)
# Changing these would change what existing marks mean in every statistic.
MEANING_FIELDS = ("base", "counts_as")
CODE_PATTERN = re.compile(r"^[0-9a-ząćęłńóśźż+\-]{1,5}$", re.IGNORECASE)
SHORTCUT_PATTERN = re.compile(r"^[a-z0-9]$")
MAX_ORDER = 32767
DEFAULT_COLOUR = "#4a5560"


def kind_is_used(kind_id: int) -> bool:
    return AttendanceMark.objects.filter(kind_id=kind_id).exists()


def kind_label(kind: AttendanceKind) -> str:
    return f"{kind.code} ({kind.name})"


def needs_present() -> str:
    return _(
        "The school must keep at least one active kind with the base type “%(base)s”: it "
        "is the mark every student starts a lesson with."
    ) % {"base": Base.PRESENT.label}


def counterpart_of(kinds: list[AttendanceKind]) -> str:
    return _(
        "This kind is what an accepted justification turns %(kinds)s into. Choose another "
        "excused counterpart there first."
    ) % {"kinds": ", ".join(kind_label(k) for k in kinds)}


def cannot_delete_used(kind: AttendanceKind) -> str:
    return _(
        "The kind %(kind)s has attendance marks, so it cannot be deleted; deactivate it instead."
    ) % {"kind": kind_label(kind)}


def colour_error(colour: str) -> str | None:
    """Why ``colour`` (``#rrggbb``) may not be used for text on white, or None."""
    ratio = contrast.contrast_ratio(colour)
    if ratio >= contrast.AA_NORMAL_TEXT:
        return None
    return _(
        "The colour %(colour)s has a contrast ratio of only %(ratio)s:1 against the white "
        "page. WCAG 2.1 level AA requires at least 4.5:1; choose a darker colour."
    ) % {"colour": colour, "ratio": formats.number_format(contrast.shown_ratio(ratio), 2)}


def normalise(kind: AttendanceKind, errors: dict[str, list[str]]) -> None:
    """Check each field of ``kind`` on its own; store the normalised values."""
    kind.name = clean_text(kind.name)
    if not kind.name:
        _add(errors, "name", _("Enter a name."))
    elif len(kind.name) > 60:
        _add(errors, "name", _("The name is too long (at most 60 characters)."))
    if kind.base not in Base.values:
        _add(errors, "base", _("Choose a base type."))
    if kind.counts_as not in Counts.values:
        _add(errors, "counts_as", _("Choose how the kind counts."))
    kind.shortcut = (kind.shortcut or "").strip().lower()
    if kind.shortcut and not SHORTCUT_PATTERN.match(kind.shortcut):
        _add(
            errors,
            "shortcut",
            _("A keyboard shortcut is one letter (a–z, without Polish letters) or digit."),
        )
    colour = contrast.normalise_hex(kind.colour)
    if colour is None:
        _add(errors, "colour", _("Enter the colour as #rrggbb, e.g. #1e6b35."))
    else:
        kind.colour = colour
        problem = colour_error(colour)
        if problem:
            _add(errors, "colour", problem)
    if not isinstance(kind.order, int) or not 0 <= kind.order <= MAX_ORDER:
        _add(errors, "order", _("The order is a whole number from 0 to 32767."))


def check_school_rules(
    kind: AttendanceKind,
    others: list[AttendanceKind],
    errors: dict[str, list[str]],
) -> None:
    """The rules over the school's whole set of kinds, with ``kind`` as it would be
    saved and ``others`` the school's other kinds. Reported together with the errors of
    single fields (so that one attempt shows every problem), except for a field that
    already has one."""
    found: dict[str, list[str]] = {}
    _school_rules(kind, others, found)
    for field, messages in found.items():
        if field not in errors:
            errors[field] = messages


def _school_rules(
    kind: AttendanceKind,
    others: list[AttendanceKind],
    errors: dict[str, list[str]],
) -> None:
    present = Base.PRESENT.label
    if kind.base == Base.PRESENT and kind.counts_as != Counts.PRESENT:
        _add(
            errors,
            "counts_as",
            _("A kind with the base type “%(base)s” must count as present.") % {"base": present},
        )
    if not any(k.is_active and k.base == Base.PRESENT for k in [*others, kind]):
        field = "is_active" if kind.base == Base.PRESENT else "base"
        _add(errors, field, needs_present())
    if kind.is_active and kind.shortcut:
        clash = next((k for k in others if k.is_active and k.shortcut == kind.shortcut), None)
        if clash is not None:
            _add(
                errors,
                "shortcut",
                _(
                    "The shortcut “%(key)s” is already used by the active kind %(kind)s. "
                    "Active kinds need different shortcuts."
                )
                % {"key": kind.shortcut, "kind": kind_label(clash)},
            )
    if kind.excused_kind_id is not None:
        target = next((k for k in others if k.pk == kind.excused_kind_id), None)
        if kind.base not in JUSTIFIABLE_BASES:
            _add(
                errors,
                "excused_kind_id",
                _("Only an unexcused absence or lateness can have an excused counterpart."),
            )
        elif (
            target is None
            or target.base not in EXCUSED_BASES
            or (kind.is_active and not target.is_active)
        ):
            _add(
                errors,
                "excused_kind_id",
                _(
                    "The excused counterpart must be another active kind of the school with "
                    "the base type “%(absent)s” or “%(late)s”."
                )
                % {"absent": Base.ABSENT_EXCUSED.label, "late": Base.LATE_EXCUSED.label},
            )
    if kind.pk is not None and (not kind.is_active or kind.base not in EXCUSED_BASES):
        dependants = [k for k in others if k.excused_kind_id == kind.pk and k.is_active]
        if dependants:
            _add(
                errors,
                "is_active" if not kind.is_active else "base",
                counterpart_of(dependants),
            )
