"""Early warnings (*wczesne ostrzeganie*): same-day unexcused absence, selective absence
and the risk of non-classification, kept in ``AttendanceAlert``.

Run by the background tasks (``tasks.py``) after marks change, and by the nightly sweep;
never inside a teacher's request.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache as django_cache
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from dziennik.core import cache
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import Term

from . import selectors
from .models import AttendanceAlert, AttendanceKind, AttendanceMark, Lesson

Counts = AttendanceKind.Counts
Base = AttendanceKind.Base

# --- alerts -----------------------------------------------------------------------
# Saving marks does not re-check the warnings itself: the marks are left flagged
# (``AttendanceMark.alerts_pending``) and one background task checks every flagged mark
# of every school. While a check is queued, further saves queue nothing: the key below
# says a check is on its way, and the task deletes it before it reads the flags, so a save
# that commits after that read queues the next check.
ALERTS_CHECK_QUEUED = "attendance:alerts-check-queued"
ALERTS_CHECK_QUEUED_TIMEOUT = 60  # s: a lost key costs at most one extra check
ALERTS_CHECK_BATCH = 2000


def alerts_check_pending(batch: int = ALERTS_CHECK_BATCH) -> int:
    """Re-check the warnings of every student with flagged marks, day by day, and clear
    the flags; returns how many marks were checked.

    Each batch runs in one transaction and locks the flagged marks it reads, skipping
    those a save still holds: that save queues another check when it commits.
    """
    django_cache.delete(ALERTS_CHECK_QUEUED)
    checked = 0
    while True:
        with transaction.atomic():
            rows = list(
                AttendanceMark.objects.filter(alerts_pending=True)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", "lesson__school_id", "date", "student_id", "lesson__subject_id")[
                    :batch
                ]
            )
            if not rows:
                return checked
            days: dict[tuple[int, datetime.date], tuple[set, set]] = defaultdict(
                lambda: (set(), set())
            )
            for _pk, school_id, day, student_id, subject_id in rows:
                students, subjects = days[(school_id, day)]
                students.add(student_id)
                subjects.add(subject_id)
            for (school_id, day), (students, subjects) in sorted(days.items()):
                alerts_refresh(
                    school_id=school_id,
                    day=day,
                    student_ids=sorted(students),
                    subject_ids=sorted(subjects),
                )
            AttendanceMark.objects.filter(pk__in=[row[0] for row in rows]).update(
                alerts_pending=False
            )
        checked += len(rows)
        if len(rows) < batch:
            return checked


def alerts_refresh(
    *,
    school_id: int,
    day: datetime.date,
    student_ids: list[int],
    subject_ids: Iterable[int] = (),
) -> None:
    """Bring the students' early warnings for ``day`` (and the term) up to date.

    Same-day unexcused absence; selective absence (absent at a lesson while present at
    an earlier and a later lesson that day); non-classification risk (attendance in a
    subject in the term below the school's threshold). Idempotent: it creates what is
    missing, reactivates what applies again and deactivates what no longer applies.
    A fixed number of queries whatever the number of students.
    """
    if not student_ids:
        return
    desired: dict[str, AttendanceAlert] = {}
    day_marks = (
        # the lesson's own school and date (a mark's date is its lesson's) let the
        # database find the day's lessons by index instead of scanning them all
        AttendanceMark.objects.filter(
            student_id__in=student_ids, date=day, lesson__school_id=school_id, lesson__date=day
        )
        .values_list(
            "student_id",
            "lesson_id",
            "lesson__slot__number",
            "lesson__school_class_id",
            "kind__base",
            "kind__counts_as",
        )
        .order_by("student_id", "lesson__slot__number", "lesson_id")
    )
    per_student: dict[int, list[tuple]] = defaultdict(list)
    for row in day_marks:
        per_student[row[0]].append(row)
    for student_id, rows in per_student.items():
        first_absence = next((r for r in rows if r[4] == Base.ABSENT), None)
        if first_absence is not None:
            key = f"unexcused:{student_id}:{day.isoformat()}"
            desired[key] = AttendanceAlert(
                school_id=school_id,
                student_id=student_id,
                school_class_id=first_absence[3],
                kind=AttendanceAlert.Kind.UNEXCUSED,
                key=key,
                date=day,
                lesson_id=first_absence[1],
            )
        for index, row in enumerate(rows):
            if row[4] != Base.ABSENT:
                continue
            before = any(r[5] == Counts.PRESENT and r[2] < row[2] for r in rows[:index])
            after = any(r[5] == Counts.PRESENT and r[2] > row[2] for r in rows[index + 1 :])
            if before and after:
                key = f"selective:{student_id}:{row[1]}"
                desired[key] = AttendanceAlert(
                    school_id=school_id,
                    student_id=student_id,
                    school_class_id=row[3],
                    kind=AttendanceAlert.Kind.SELECTIVE,
                    key=key,
                    date=day,
                    lesson_id=row[1],
                )
    scope = Q(kind__in=[AttendanceAlert.Kind.UNEXCUSED, AttendanceAlert.Kind.SELECTIVE], date=day)
    subject_ids = list(subject_ids)
    term = (
        Term.objects.filter(
            school_year__school_id=school_id, start_date__lte=day, end_date__gte=day
        ).first()
        if subject_ids
        else None
    )
    if term is not None:
        desired.update(_risk_alerts(school_id, term, student_ids, subject_ids, day))
        scope |= Q(kind=AttendanceAlert.Kind.RISK, term=term, subject_id__in=subject_ids)
    _sync_alerts(school_id, student_ids, scope, desired)


def _risk_alerts(school_id, term, student_ids, subject_ids, day) -> dict[str, AttendanceAlert]:
    config = selectors.settings_for(school_id)
    rows = (
        AttendanceMark.objects.filter(
            student_id__in=student_ids,
            lesson__subject_id__in=subject_ids,
            date__range=(term.start_date, term.end_date),
        )
        .values("student_id", "lesson__subject_id", "kind__counts_as")
        .annotate(n=Count("id"))
        .order_by()
    )
    tallies: dict[tuple[int, int], selectors.Tally] = defaultdict(selectors.Tally)
    for row in rows:
        tallies[(row["student_id"], row["lesson__subject_id"])].add(
            row["kind__counts_as"], row["n"]
        )
    at_risk = {
        key: tally
        for key, tally in tallies.items()
        if tally.percent is not None
        and tally.counted >= config.risk_minimum_lessons
        and tally.percent < config.risk_threshold_percent
    }
    if not at_risk:
        return {}
    # one query, only when someone is at risk: alerts carry the current class for the
    # class teacher's view
    class_of = dict(selectors.current_class_ids({student_id for student_id, _ in at_risk}))
    result = {}
    for (student_id, subject_id), tally in at_risk.items():
        pct = tally.percent
        if student_id in class_of:
            key = f"risk:{student_id}:{subject_id}:{term.pk}"
            result[key] = AttendanceAlert(
                school_id=school_id,
                student_id=student_id,
                school_class_id=class_of[student_id],
                kind=AttendanceAlert.Kind.RISK,
                key=key,
                date=day,
                subject_id=subject_id,
                term=term,
                percent=pct,
            )
    return result


@transaction.atomic(savepoint=False)
def _sync_alerts(school_id, student_ids, scope: Q, desired: dict[str, AttendanceAlert]) -> None:
    """At most four queries whatever the number of students and warnings: read the
    current ones, insert the new, switch the active flag, update changed percentages;
    and, when a warning of today is new, tell the families (a fixed number more)."""
    current = {
        key: (pk, active, pct)
        for pk, key, active, pct in AttendanceAlert.objects.filter(
            scope, school_id=school_id, student_id__in=student_ids
        ).values_list("pk", "key", "is_active", "percent")
    }
    new = [alert for key, alert in desired.items() if key not in current]
    if new:
        AttendanceAlert.objects.bulk_create(new, ignore_conflicts=True)
    revive = [k for k, (_pk, active, _pct) in current.items() if k in desired and not active]
    stale = [k for k, (_pk, active, _pct) in current.items() if k not in desired and active]
    if revive or stale:
        # one statement: the warnings that apply again on, those that no longer apply off
        AttendanceAlert.objects.filter(school_id=school_id, key__in=revive + stale).update(
            is_active=Case(When(key__in=revive, then=Value(True)), default=Value(False))
        )
    # the latest percentage, so a risk warning shows the figure as it is now
    changed = []
    for key, alert in desired.items():
        if key in current and alert.kind == AttendanceAlert.Kind.RISK:
            pk, _active, pct = current[key]
            if pct != alert.percent:
                changed.append(AttendanceAlert(pk=pk, percent=alert.percent))
    if changed:
        AttendanceAlert.objects.bulk_update(changed, ["percent"])
    if new or revive or stale or changed:
        # Warnings are derived, not recorded in the history: move the pages' versions here
        # (the attendance's share of each student's data, not the other apps').
        # No month's marks change: the parts of the page kept per month stay.
        cache.bump_in(
            "attendance",
            *(cache.student_scope(s) for s in student_ids),
            months=(),
            models=("attendance.attendancealert",),
        )
    _notify_families(school_id, [a for a in new] + [desired[k] for k in revive])


# The warnings told to the family as they happen; the risk of non-classification is
# shown on the pages only.
NOTIFIED = {
    AttendanceAlert.Kind.UNEXCUSED: events.ABSENCE_UNEXCUSED,
    AttendanceAlert.Kind.SELECTIVE: events.ABSENCE_SELECTIVE,
}


def _notify_families(school_id: int, alerts: list[AttendanceAlert]) -> None:
    """Today's new warnings of unexcused and selective absence, to each family (the
    warning's key is the notification's: a warning that comes back is not told twice)."""
    today = timezone.localdate()
    alerts = [a for a in alerts if a.kind in NOTIFIED and a.date == today]
    if not alerts:
        return
    lessons = {
        pk: (number, subject)
        for pk, number, subject in Lesson.objects.filter(
            pk__in={a.lesson_id for a in alerts}
        ).values_list("pk", "slot__number", "subject__name")
    }
    for kind, event in NOTIFIED.items():
        items = [
            notifications.About(
                a.student_id,
                key=f"alert:{a.key}",
                params={
                    "lesson": lessons.get(a.lesson_id, ("", ""))[0],
                    "subject": lessons.get(a.lesson_id, ("", ""))[1],
                },
                url=reverse("attendance:student", args=[a.student_id]),
            )
            for a in alerts
            if a.kind == kind
        ]
        if items:
            notifications.notify_families(event=event, school_id=school_id, items=items)


# --- justifications ---------------------------------------------------------------
