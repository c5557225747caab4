"""Reads for the screens of the school's grading rule tables (categories, special marks,
point scale, thresholds), always through the viewer: the rows come from the policies in
``permissions``, so whoever may not manage them gets empty lists or the same 404 as for
a missing row.

A *version* is a short digest of the rows a form shows; the form sends it back and the
services refuse a save based on rows someone has changed since (``StaleRules``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from dziennik.core import audit
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import Grade, GradeCategory, SpecialMark


# --- versions -----------------------------------------------------------------------
def table_version(rows: Iterable[models.Model]) -> str:
    """A digest of ``rows`` (their ids and stored values), in the given order."""
    payload = [[row.pk, audit.snapshot(row)] for row in rows]
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def category_version(category: GradeCategory) -> str:
    return table_version([category])


def mark_version(mark: SpecialMark) -> str:
    return table_version([mark])


# --- grade categories ---------------------------------------------------------------
def _categories(viewer: Viewer) -> QuerySet[GradeCategory]:
    """The categories the viewer manages, each with ``columns`` (how many columns have
    it) and ``following`` (how many of them have the category's weight)."""
    return permissions.grade_categories.queryset(viewer, "manage").annotate(
        columns=Count("assessments"),
        following=Count("assessments", filter=Q(assessments__weight=F("weight"))),
    )


def category_list(viewer: Viewer) -> list[GradeCategory]:
    """Active categories first, then by weight and name (one query)."""
    return list(_categories(viewer).order_by("-is_active", "-weight", "name"))


def get_category_for(viewer: Viewer, category_id: int) -> GradeCategory:
    """One category the viewer manages, with ``columns`` and ``following``; 404 when
    missing or forbidden."""
    return permissions.grade_categories.get(
        viewer, category_id, "manage", queryset=_categories(viewer)
    )


# --- special marks ------------------------------------------------------------------
def _used_marks():
    return Grade.objects.filter(school_id=OuterRef("school_id"), symbol=OuterRef("symbol"))


def _marks(viewer: Viewer) -> QuerySet[SpecialMark]:
    """The special marks the viewer manages, each with ``in_use`` (a grade has it)."""
    return permissions.special_marks.queryset(viewer, "manage").annotate(
        in_use=Exists(_used_marks())
    )


def mark_list(viewer: Viewer) -> list[SpecialMark]:
    """The school's special marks by symbol (one query)."""
    return list(_marks(viewer).order_by("symbol"))


def get_mark_for(viewer: Viewer, mark_id: int) -> SpecialMark:
    return permissions.special_marks.get(viewer, mark_id, "manage", queryset=_marks(viewer))


def mark_is_used(school_id: int, symbol: str) -> bool:
    """Some grade of the school is written with ``symbol``."""
    return Grade.objects.filter(school_id=school_id, symbol=symbol).exists()


# --- the point scale and the thresholds ---------------------------------------------
@dataclass(frozen=True)
class Table:
    """The rows of one rule table and the version a form editing them carries."""

    rows: list
    version: str


def point_scale(viewer: Viewer) -> Table:
    """The school's point scale, lowest percentage first (one query)."""
    rows = list(permissions.point_scale_steps.queryset(viewer, "manage").order_by("min_percent"))
    return Table(rows, table_version(rows))


def average_thresholds(viewer: Viewer) -> Table:
    """The school's average thresholds by grade (one query)."""
    rows = list(permissions.average_thresholds.queryset(viewer, "manage").order_by("grade"))
    return Table(rows, table_version(rows))


@dataclass(frozen=True)
class RuleTables:
    categories: list[GradeCategory]
    marks: list[SpecialMark]
    point_scale: Table
    thresholds: Table

    @property
    def empty(self) -> bool:
        return not (self.categories or self.marks or self.point_scale.rows)


def rule_tables(viewer: Viewer) -> RuleTables:
    """Everything the overview shows, in four queries."""
    return RuleTables(
        categories=category_list(viewer),
        marks=mark_list(viewer),
        point_scale=point_scale(viewer),
        thresholds=average_thresholds(viewer),
    )
