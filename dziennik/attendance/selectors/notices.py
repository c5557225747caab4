"""Reads of parents' announcements of coming absences (``AbsenceNotice``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.schools.models import Student
from dziennik.schools.viewer import Viewer

from .. import permissions
from ..models import AbsenceNotice, Lesson


def student_notices(viewer: Viewer, student: Student) -> list[AbsenceNotice]:
    """The student's announcements the viewer may read, from a week ago on (one query)."""
    since = timezone.localdate() - datetime.timedelta(days=7)
    return list(
        permissions.absence_notices.queryset(viewer)
        .filter(student=student, date_to__gte=since)
        .select_related("submitted_by")
        .order_by("date_from", "id")[:50]
    )


def notices_to_know(viewer: Viewer) -> list[AbsenceNotice]:
    """Active announcements of today and later in the classes the viewer leads (one
    query): what the class teacher should know of."""
    if not viewer.led_class_ids:
        return []
    return list(
        permissions.absence_notices.queryset(viewer)
        .filter(
            school_class_id__in=list(viewer.led_class_ids),
            status=AbsenceNotice.Status.ACTIVE,
            date_to__gte=timezone.localdate(),
        )
        .select_related("student", "school_class", "submitted_by")
        .order_by("date_from", "student__last_name", "id")[:100]
    )


def notices_for_lesson(lesson: Lesson, student_ids) -> dict[int, AbsenceNotice]:
    """The active announcements covering the lesson, by student (one query)."""
    found = {}
    for notice in AbsenceNotice.objects.filter(
        student_id__in=list(student_ids),
        status=AbsenceNotice.Status.ACTIVE,
        date_from__lte=lesson.date,
        date_to__gte=lesson.date,
    ).order_by("id"):
        if notice.covers(lesson.date, lesson.slot.number):
            found.setdefault(notice.student_id, notice)
    return found
