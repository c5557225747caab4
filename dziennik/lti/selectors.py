"""Reads of learning tools: the school's tools, the links a person may open, the
teaching a teacher may add a link to, and what the services answer a tool (its links'
members, line items and results)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from dziennik.grades.models import Grade, GradeCategory
from dziennik.schools.models import Enrolment, Student, TeachingAssignment
from dziennik.schools.viewer import Viewer, get_object_for

from . import permissions
from .models import LineItem, Placement, ServiceToken, Tool


def tool_list(viewer: Viewer) -> QuerySet[Tool]:
    """The tools of the viewer's school, for its principal (none for anyone else)."""
    return permissions.tools.queryset(viewer, "manage").order_by("name", "pk")


def get_tool_for(viewer: Viewer, tool_id: int) -> Tool:
    return get_object_for(viewer, tool_list(viewer), pk=tool_id)


def active_tools(viewer: Viewer) -> QuerySet[Tool]:
    """The tools a teacher of the school may place (its active ones)."""
    if viewer.school_id is None or not viewer.is_teacher:
        return Tool.objects.none()
    return Tool.objects.filter(school_id=viewer.school_id, active=True).order_by("name", "pk")


def placement_list(viewer: Viewer) -> list[Placement]:
    """The tool links the viewer may open, by class, subject and title, with their
    gradebook columns."""
    return list(
        permissions.placements.queryset(viewer, "launch")
        .select_related("tool", "school_class", "subject")
        .prefetch_related(
            Prefetch("line_items", queryset=LineItem.objects.select_related("assessment"))
        )
        .order_by("school_class__name", "subject__name", "title", "pk")
    )


def get_placement_for(viewer: Viewer, placement_id: int, action: str = "launch") -> Placement:
    """One link the viewer may open (or manage), or the same 404 as a missing one."""
    queryset = permissions.placements.queryset(viewer, action).select_related(
        "tool", "school_class", "subject", "school"
    )
    return get_object_for(viewer, queryset, pk=placement_id)


def teaching_choices(viewer: Viewer) -> list[TeachingAssignment]:
    """The classes and subjects a teacher teaches (where they may add a link), one per
    class and subject."""
    if viewer.user_id is None or not viewer.is_teacher:
        return []
    seen, result = set(), []
    rows = (
        TeachingAssignment.objects.filter(teacher_id=viewer.user_id, school_id=viewer.school_id)
        .select_related("school_class", "subject")
        .order_by("school_class__name", "subject__name", "pk")
    )
    for row in rows:
        key = (row.school_class_id, row.subject_id)
        if key not in seen:
            seen.add(key)
            result.append(row)
    return result


def category_choices(viewer: Viewer) -> QuerySet[GradeCategory]:
    if viewer.school_id is None:
        return GradeCategory.objects.none()
    return GradeCategory.objects.filter(school_id=viewer.school_id, is_active=True)


# --- what the services answer a tool ---------------------------------------------------
def tool_of_token(token_hash: str) -> tuple[Tool, set[str]] | None:
    """The active tool and the scopes of a live service token (by its hash)."""
    row = (
        ServiceToken.objects.select_related("tool")
        .filter(token_hash=token_hash, expires_at__gt=timezone.now(), tool__active=True)
        .first()
    )
    return None if row is None else (row.tool, set(row.scopes.split()))


def tool_placement(tool: Tool, placement_id: int) -> Placement | None:
    """One of the tool's own links; another tool's (or school's) is as missing."""
    return (
        Placement.objects.select_related("school_class", "subject", "school")
        .filter(tool=tool, pk=placement_id)
        .first()
    )


def tool_line_item(tool: Tool, line_item_id: int) -> LineItem | None:
    return (
        LineItem.objects.select_related("assessment", "placement")
        .filter(tool=tool, pk=line_item_id)
        .first()
    )


def context_line_items(placement: Placement) -> QuerySet[LineItem]:
    """The line items of the tool in the link's context (its class and subject)."""
    return LineItem.objects.filter(
        tool_id=placement.tool_id,
        placement__school_class_id=placement.school_class_id,
        placement__subject_id=placement.subject_id,
    ).order_by("pk")


def context_students(placement: Placement) -> list[Student]:
    """The link's class as it is now (its current students), by name."""
    return list(
        Student.objects.filter(
            enrolments__school_class_id=placement.school_class_id,
            enrolments__end_date__isnull=True,
        )
        .select_related("user")
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )


def context_teachers(placement: Placement) -> list:
    """The teachers of the link's subject in its class."""
    rows = (
        TeachingAssignment.objects.filter(
            school_class_id=placement.school_class_id, subject_id=placement.subject_id
        )
        .select_related("teacher")
        .order_by("teacher__last_name", "teacher_id")
    )
    return list({row.teacher_id: row.teacher for row in rows}.values())


def student_in_context(placement: Placement, user_id: int) -> Student | None:
    return Student.objects.filter(
        user_id=user_id,
        enrolments__school_class_id=placement.school_class_id,
        enrolments__end_date__isnull=True,
    ).first()


def line_item_results(line_item: LineItem) -> list[Grade]:
    return list(
        Grade.objects.filter(assessment_id=line_item.assessment_id, corrects__isnull=True)
        .select_related("student")
        .order_by("student_id")
    )


def current_enrolment_class_ids(student_id: int) -> list[int]:
    return list(
        Enrolment.objects.filter(student_id=student_id, end_date__isnull=True).values_list(
            "school_class_id", flat=True
        )
    )
