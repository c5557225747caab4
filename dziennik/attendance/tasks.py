"""Background work of the register: the check of early warnings after marks change, and
the nightly sweep.

Tasks take ids, load what they need, call a service and are safe to run twice.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.tasks import task

from dziennik.schools.models import Enrolment, Subject

from . import alerts


@task
def attendance_alerts_check() -> int:
    """Re-check the warnings of the students whose marks changed; returns how many marks."""
    return alerts.alerts_check_pending()


@task
def attendance_alerts_sweep(school_id: int, day: str) -> int:
    """Refresh every current student's warnings of ``day`` (ISO date); returns how many.

    Re-checks a whole school for a day (e.g. after a school's threshold changed), in one
    transaction: a worker killed midway wrote nothing, and the run again does it all.
    """
    with transaction.atomic():
        return _sweep(school_id, day)


def _sweep(school_id: int, day: str) -> int:
    student_ids = list(
        Enrolment.objects.filter(
            school_class__school_id=school_id, end_date__isnull=True
        ).values_list("student_id", flat=True)
    )
    alerts.alerts_refresh(
        school_id=school_id,
        day=datetime.date.fromisoformat(day),
        student_ids=student_ids,
        subject_ids=list(Subject.objects.filter(school_id=school_id).values_list("pk", flat=True)),
    )
    return len(student_ids)
