"""Background work of the register: the nightly sweep of early warnings.

Saving a lesson refreshes the warnings of its students at once; this task re-checks a
whole school for a day (e.g. after marks were corrected in bulk or a school's threshold
changed). It takes ids, loads what it needs, calls the service and is safe to run twice.
"""

from __future__ import annotations

import datetime

from django.tasks import task

from dziennik.schools.models import Enrolment, Subject

from . import services


@task
def attendance_alerts_sweep(school_id: int, day: str) -> int:
    """Refresh every current student's warnings of ``day`` (ISO date); returns how many."""
    student_ids = list(
        Enrolment.objects.filter(
            school_class__school_id=school_id, end_date__isnull=True
        ).values_list("student_id", flat=True)
    )
    services.alerts_refresh(
        school_id=school_id,
        day=datetime.date.fromisoformat(day),
        student_ids=student_ids,
        subject_ids=list(Subject.objects.filter(school_id=school_id).values_list("pk", flat=True)),
    )
    return len(student_ids)
