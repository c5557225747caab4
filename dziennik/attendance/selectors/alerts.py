"""Reads of early warnings and recent absences for the home page and class summary,
for students and classes the caller has already checked."""

from __future__ import annotations

import datetime

from django.db.models import Q

from ..models import AttendanceAlert, AttendanceKind, AttendanceMark

Base = AttendanceKind.Base


def alerts_for_students(student_ids, *, since: datetime.date) -> list[AttendanceAlert]:
    return list(
        AttendanceAlert.objects.filter(student_id__in=list(student_ids), is_active=True)
        .filter(Q(date__gte=since) | Q(kind=AttendanceAlert.Kind.RISK))
        .select_related(
            "student", "school_class", "lesson__subject", "lesson__slot", "subject", "term"
        )
        .order_by("-date", "student__last_name", "id")[:50]
    )


def student_alerts(student_id: int, *, since: datetime.date) -> list[AttendanceAlert]:
    """``alerts_for_students([student_id], since=since)`` for a page about one student,
    with what ``attendance/_alerts.html`` shows of them without ``show_student`` (the
    lesson and the subject): a smaller query for the student's attendance page."""
    return list(
        AttendanceAlert.objects.filter(student_id=student_id, is_active=True)
        .filter(Q(date__gte=since) | Q(kind=AttendanceAlert.Kind.RISK))
        .select_related("lesson__subject", "lesson__slot", "subject")
        .order_by("-date", "id")[:50]
    )


def alerts_for_classes(class_ids, *, since: datetime.date) -> list[AttendanceAlert]:
    return list(
        AttendanceAlert.objects.filter(school_class_id__in=list(class_ids), is_active=True)
        .filter(
            Q(date__gte=since, kind=AttendanceAlert.Kind.SELECTIVE)
            | Q(kind=AttendanceAlert.Kind.RISK)
        )
        .select_related("student", "school_class", "lesson__subject", "lesson__slot", "subject")
        .order_by("-date", "student__last_name", "id")[:50]
    )


def recent_absences(student_ids, *, since: datetime.date) -> list[AttendanceMark]:
    return list(
        AttendanceMark.objects.filter(student_id__in=list(student_ids), date__gte=since)
        .exclude(kind__base=Base.PRESENT)
        .select_related("kind", "student", "lesson__subject", "lesson__slot")
        .order_by("-date", "-lesson__slot__number")[:20]
    )
