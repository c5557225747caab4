"""Matching the file's rows against the school and working out what replacing each
class's plan from its date means: which entries end the day before, which never
started and go, which stay unchanged, which substitutions and cancellations no longer
apply, and every collision. Nothing here writes."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from dziennik.schools.models import School, TeachingAssignment

from .. import collisions
from ..models import TimetableChange, TimetableEntry
from .directory import Directory
from .parsing import PlanRow
from .results import ClassPlan, TimetableImportResult


def _same_lesson_key(entry: TimetableEntry, room) -> tuple:
    return (
        entry.group_id,
        entry.weekday,
        entry.slot_id,
        entry.subject_id,
        entry.teacher_id,
        collisions.room_key(room),
    )


def plan(
    school: School,
    rows: list[PlanRow],
    result: TimetableImportResult,
    *,
    today: datetime.date,
) -> None:
    """Match ``rows`` against the school and fill ``result`` with the plan of each class
    (or with the errors that stop the import). A fixed number of queries."""
    directory = Directory(school)
    bookings: list[collisions.Booking] = []
    plans: dict[int, ClassPlan] = {}
    for row in rows:
        errors: list[str] = []
        school_class = directory.school_class(row, errors)
        group = directory.group(school_class, row, errors) if school_class else None
        subject = directory.subject(row, errors)
        teacher = directory.teacher(row, errors)
        slot = directory.slot(row, errors)
        for message in errors:
            result.error(row.line, message)
        if errors:
            continue
        room = directory.room(row)
        entry = TimetableEntry(
            school=school,
            school_class=school_class,
            group=group,
            weekday=row.weekday,
            slot=slot,
            subject=subject,
            teacher=teacher,
            room=room,
            valid_from=row.valid_from,
        )
        class_plan = plans.setdefault(
            school_class.pk, ClassPlan(school_class=school_class, valid_from=row.valid_from)
        )
        class_plan.new.append(entry)
        bookings.append(collisions.Booking.of(entry, line=row.line))
    result.classes = sorted(
        plans.values(), key=lambda p: (p.school_class.level, p.school_class.name)
    )
    if not plans:
        return

    staying = _replace(plans, result, directory)
    for booking, other, kinds in collisions.find(bookings, staying):
        for message in collisions.messages(booking, other, kinds):
            result.error(booking.line, message)
    result.row_errors.sort(key=lambda e: e.line)
    result.new_rooms = list(directory.new_rooms.values())
    _warn(school, plans, bookings, result, today)


def _replace(
    plans: dict[int, ClassPlan], result: TimetableImportResult, directory: Directory
) -> list[collisions.Booking]:
    """Sort the school's current entries into what the import does with them; returns the
    entries that stay (with the validity they will have) for the collision check."""
    earliest = min(p.valid_from for p in plans.values())
    current = (
        TimetableEntry.objects.filter(school=directory.school)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=earliest))
        .select_related("slot", "subject", "teacher", "room", "school_class", "group")
        .order_by("pk")
    )
    staying: list[collisions.Booking] = []
    for entry in current:
        class_plan = plans.get(entry.school_class_id)
        if class_plan is None or (
            entry.valid_to is not None and entry.valid_to < class_plan.valid_from
        ):
            staying.append(collisions.Booking.of(entry))
        elif entry.valid_from < class_plan.valid_from:
            class_plan.ending.append(entry)
            staying.append(collisions.Booking.of(entry, valid_to=class_plan.last_old_day))
        else:
            class_plan.removed.append(entry)

    # Importing the same file again: a lesson that already starts on the same day with the
    # same values stays as it is (with its substitutions) instead of going and coming back.
    for class_plan in plans.values():
        waiting: dict[tuple, list[TimetableEntry]] = defaultdict(list)
        for entry in class_plan.new:
            waiting[_same_lesson_key(entry, entry.room)].append(entry)
        kept = []
        for entry in class_plan.removed:
            same = waiting.get(_same_lesson_key(entry, entry.room))
            if entry.valid_from == class_plan.valid_from and entry.valid_to is None and same:
                class_plan.new.remove(same.pop())
                kept.append(entry)
        class_plan.unchanged = kept
        class_plan.removed = [e for e in class_plan.removed if e not in kept]

    # An entry that never started cannot end the day before it starts: it goes, unless
    # lessons were already recorded under it (they keep their entry).
    removed_ids = [e.pk for p in plans.values() for e in p.removed]
    if removed_ids:
        used = TimetableEntry.objects.filter(pk__in=removed_ids, lessons__isnull=False)
        for entry in used.distinct().select_related("school_class", "subject"):
            class_plan = plans[entry.school_class_id]
            result.file_errors.append(
                _(
                    "Lessons of %(subject)s in class %(class)s have already been recorded "
                    "under the plan valid from %(start)s, which the file would replace from "
                    "%(date)s. Choose a later date for that class."
                )
                % {
                    "subject": entry.subject.name,
                    "class": entry.school_class.name,
                    "start": entry.valid_from.strftime("%d.%m.%Y"),
                    "date": class_plan.valid_from.strftime("%d.%m.%Y"),
                }
            )

    # Substitutions, cancellations and moves of lessons the new plan replaces.
    affected = {e.pk: p for p in plans.values() for e in (*p.ending, *p.removed)}
    if affected:
        for change in TimetableChange.objects.filter(
            entry_id__in=list(affected), date__gte=earliest
        ).order_by("date", "pk"):
            class_plan = affected[change.entry_id]
            if change.date >= class_plan.valid_from:
                class_plan.changes_removed.append(change)
    return staying


def _warn(school, plans, bookings, result: TimetableImportResult, today: datetime.date) -> None:
    """What is allowed but worth a second look before confirming."""
    for class_plan in plans.values():
        if class_plan.valid_from < today:
            result.warnings.append(
                _(
                    "Class %(class)s: the new plan applies from %(date)s, in the past. The "
                    "weeks since then will show the new plan; lessons already recorded stay "
                    "as they were."
                )
                % {
                    "class": class_plan.school_class.name,
                    "date": class_plan.valid_from.strftime("%d.%m.%Y"),
                }
            )
    assigned = set(
        TeachingAssignment.objects.filter(
            school=school, school_class_id__in=list(plans)
        ).values_list("teacher_id", "subject_id", "school_class_id")
    )
    warned = set()
    for booking in bookings:
        entry = booking.entry
        key = (entry.teacher_id, entry.subject_id, entry.school_class_id)
        if key in assigned or key in warned:
            continue
        warned.add(key)
        result.warnings.append(
            _(
                "Line %(line)s: %(teacher)s has no teaching assignment for %(subject)s in "
                "%(class)s. Add it in the administration, or the teacher will not see the "
                "class's students."
            )
            % {
                "line": booking.line,
                "teacher": entry.teacher.get_full_name() or entry.teacher.username,
                "subject": entry.subject.name,
                "class": entry.school_class.name,
            }
        )
