"""Writes to lessons: opening a lesson of the plan, saving its topic and every
student's mark in one go, and queueing the re-check of the early warnings."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping

from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency
from dziennik.core.models import AuditEntry
from dziennik.core.text import clean_text
from dziennik.schools.models import SchoolClass
from dziennik.schools.services import ensure_year_open
from dziennik.schools.viewer import Viewer, get_viewer
from dziennik.timetable import selectors as timetable

from .. import alerts, permissions, selectors
from ..models import AttendanceKind, AttendanceMark, Lesson
from ..tasks import attendance_alerts_check

TOPIC_MAX_LENGTH = 500


@transaction.atomic
def lesson_open(*, actor: User, entry_id: int, date: datetime.date) -> Lesson:
    """Open (create once) the lesson of a timetable entry on a date for the register.

    The actor must be allowed to save it (``permissions.LessonPolicy.may_open``: the
    teacher who takes that lesson after substitutions, the class teacher or the
    principal); the lesson must take place that day and not later than today. Opening
    it again returns the same lesson.
    """
    viewer = get_viewer(actor)
    if date > timezone.localdate():
        raise ValidationError(_("A lesson cannot be entered before it takes place."))
    ensure_year_open(actor=actor, school_id=viewer.school_id, day=date)
    entries = timetable.TimetableEntry.objects.filter(pk=entry_id, school_id=viewer.school_id)
    if viewer.school_id is None or not entries.exists():
        raise PermissionDenied
    occurrence = next(
        (
            o
            for o in timetable.expand(entries, date, date, school_id=viewer.school_id)
            if o.entry.pk == entry_id and o.takes_place
        ),
        None,
    )
    if occurrence is None:
        raise ValidationError(_("This lesson does not take place on that date."))
    entry = occurrence.entry
    if not permissions.lessons.may_open(
        viewer,
        school_id=entry.school_id,
        teacher_id=occurrence.teacher.pk,
        school_class_id=entry.school_class_id,
    ):
        raise PermissionDenied
    # A double click (or two teachers at once) opens one lesson: the second waits for
    # the first and finds it, instead of failing on the lesson's unique key.
    concurrency.locked(SchoolClass.objects.filter(pk=entry.school_class_id).only("pk"))
    lookup = {"date": date, "slot": occurrence.slot}
    if entry.group_id:
        lookup["group_id"] = entry.group_id
    else:
        lookup["school_class_id"] = entry.school_class_id
        lookup["group__isnull"] = True
    lesson = Lesson.objects.filter(**lookup).first()
    if lesson is not None:
        return lesson
    lesson = Lesson.objects.create(
        school_id=entry.school_id,
        school_class_id=entry.school_class_id,
        group_id=entry.group_id,
        subject_id=entry.subject_id,
        teacher=occurrence.teacher,
        date=date,
        slot=occurrence.slot,
        timetable_entry=entry,
    )
    audit.record_create(actor=actor, instance=lesson, school_class_id=lesson.school_class_id)
    return lesson


@transaction.atomic
def lesson_save(
    *,
    actor: User,
    lesson: Lesson,
    topic: str,
    marks: Mapping[int, int | None],
    initial: Mapping[int, int] | None = None,
    initial_topic: str | None = None,
) -> list[AttendanceMark]:
    """Save a lesson's topic and its students' marks in one go: all of it, or nothing.

    ``marks`` maps student id → attendance kind id (``None``: no valid kind was given).
    A student left out keeps the mark they have; one without a mark becomes present.
    Every mark is checked before anything is written. A student not in the lesson, an
    unknown kind, or a kind the school no longer uses given anew (a mark may keep it)
    refuses the whole save with a ``ValidationError`` that names every bad row: its
    keys are the lesson form's fields, ``topic`` and ``mark-<student id>``.

    ``initial`` (student id → the kind the form showed) and ``initial_topic`` are what
    the form was based on. The lesson is locked for the save, and each value is merged
    with what is saved now (``concurrency.merge``): what the user did not change keeps
    the saved value, what only the user changed is saved; when both changed the same
    row (or the topic) differently, nothing is saved: ``StaleEdit`` names the students
    and has the form's fields in ``fields``.

    The number of queries does not depend on the number of students: the lesson's lock,
    one read of the existing marks, one insert of the new marks and one update per kind
    the changed marks now have, one update of the lesson, one insert into the history.
    The early warnings of the students whose marks changed are re-checked in the
    background once the save has committed (``alerts_check_later``).
    """
    viewer = get_viewer(actor)
    if not permissions.lessons.allows(viewer, "edit", lesson):
        raise PermissionDenied
    ensure_year_open(actor=actor, school_id=lesson.school_id, day=lesson.date)
    _lock_lesson(lesson)
    topic = clean_text(topic)
    attendees = selectors.lesson_attendee_ids(lesson)
    kinds = selectors.kinds_by_id(lesson.school_id)
    existing = {
        student_id: (pk, kind_id)
        for pk, student_id, kind_id in AttendanceMark.objects.filter(lesson=lesson).values_list(
            "pk", "student_id", "kind_id"
        )
    }
    errors = _mark_errors(viewer, marks, attendees=attendees, kinds=kinds, existing=existing)
    if len(topic) > TOPIC_MAX_LENGTH:
        errors = {"topic": [_("The topic is too long (at most 500 characters).")], **errors}
    if errors:
        raise ValidationError(errors)
    present = selectors.default_kind(kinds)
    wanted, conflicts = _merged_marks(attendees, marks, initial or {}, existing, present.pk)
    if initial_topic is not None:
        topic, topic_conflict = concurrency.merge(clean_text(initial_topic), topic, lesson.topic)
        if topic_conflict:
            conflicts.insert(0, "topic")
    if conflicts:
        raise _lesson_conflict(conflicts)

    now = timezone.now()
    to_create, to_update = [], []
    for student_id, kind_id in wanted.items():
        pk = existing.get(student_id, (None, None))[0]
        mark = AttendanceMark(
            pk=pk,
            lesson=lesson,
            student_id=student_id,
            kind_id=kind_id,
            date=lesson.date,
            updated_at=now,
        )
        (to_create if pk is None else to_update).append(mark)
    entries = _write_marks(actor, lesson, kinds, existing, to_create, to_update, now)
    entries += _write_lesson(actor, lesson, topic, bool(attendees), now)
    audit.record_many(entries)
    if to_create or to_update:
        alerts_check_later()
    return [*to_create, *to_update]


def _lock_lesson(lesson: Lesson) -> None:
    """Lock the lesson until the save ends (a concurrent save of it waits) and read its
    saved topic and stamps again: the merge and the history start from them."""
    fields = ("topic", "conducted_at", "attendance_taken_at")
    saved = Lesson.objects.select_for_update(no_key=True).values(*fields).get(pk=lesson.pk)
    for name in fields:
        setattr(lesson, name, saved[name])


def _merged_marks(
    attendees: list[int],
    marks: Mapping[int, int | None],
    initial: Mapping[int, int],
    existing: dict[int, tuple[int, int]],
    present_id: int,
) -> tuple[dict[int, int], list[int | str]]:
    """The marks to write (student id → kind id, only those that change) and the
    students both the user and someone else changed meanwhile (the conflicts)."""
    wanted: dict[int, int] = {}
    conflicts: list[int | str] = []
    for student_id in attendees:
        current = existing.get(student_id, (None, None))[1]
        if student_id not in marks:
            if current is None:  # attendance taken for the first time: present
                wanted[student_id] = present_id
            continue
        kind_id = marks[student_id]
        if student_id in initial:
            # a student without a mark is shown as present, and merged as such
            shown_now = present_id if current is None else current
            kind_id, conflict = concurrency.merge(initial[student_id], kind_id, shown_now)
            if conflict:
                conflicts.append(student_id)
                continue
        if kind_id != current:
            wanted[student_id] = kind_id
    return wanted, conflicts


def _lesson_conflict(conflicts: list[int | str]) -> concurrency.StaleEdit:
    """The refusal of a save whose rows someone else changed meanwhile, naming them."""
    students = [c for c in conflicts if c != "topic"]
    names = selectors.student_names(students)
    labels = [_("the topic")] if "topic" in conflicts else []
    labels += [names.get(student_id, str(student_id)) for student_id in students]
    error = concurrency.StaleEdit(conflicts=labels)
    error.fields = ["topic" if c == "topic" else f"mark-{c}" for c in conflicts]
    return error


def _mark_errors(
    viewer: Viewer,
    marks: Mapping[int, int | None],
    *,
    attendees: list[int],
    kinds: dict[int, AttendanceKind],
    existing: dict[int, tuple[int, int]],
) -> dict[str, list[str]]:
    """Every bad mark of ``marks``, by the lesson form's field, each naming its student:
    the lesson's students in journal order, then those not in the lesson. Costs queries
    only when something is wrong (the names)."""
    attending = set(attendees)
    outsiders = sorted(sid for sid in marks if sid not in attending)
    problems: dict[int, AttendanceKind | None] = {}  # None: unknown kind
    for student_id in attendees:
        if student_id not in marks:
            continue
        kind = kinds.get(marks[student_id])
        if kind is None:
            problems[student_id] = None
        elif not kind.is_active and existing.get(student_id, (None, None))[1] != kind.pk:
            problems[student_id] = kind  # a kind the school no longer uses, given anew
    if not problems and not outsiders:
        return {}
    names = selectors.student_names(problems)
    visible = permissions.student_attendance.queryset(viewer, "view")
    names.update(selectors.student_names(outsiders, within=visible))
    errors: dict[str, list[str]] = {}
    for student_id, kind in problems.items():
        if kind is None:
            message = _("%(student)s: unknown attendance kind; choose one of the kinds.")
        else:
            message = _("%(student)s: the kind %(kind)s is no longer in use; choose another.")
        values = {"student": names.get(student_id, ""), "kind": kind and kind.name}
        errors[f"mark-{student_id}"] = [message % values]
    for student_id in outsiders:
        if student_id in names:
            message = _("%(student)s is not in this lesson.") % {"student": names[student_id]}
        else:
            message = _("The student with id %(id)s is not in this lesson.") % {"id": student_id}
        errors[f"mark-{student_id}"] = [message]
    return errors


def _write_marks(
    actor: User,
    lesson: Lesson,
    kinds: dict[int, AttendanceKind],
    existing: dict[int, tuple[int, int]],
    to_create: list[AttendanceMark],
    to_update: list[AttendanceMark],
    now: datetime.datetime,
) -> list[AuditEntry]:
    """Insert the new marks, update the changed ones; their history entries."""
    links = {"school_id": lesson.school_id, "school_class_id": lesson.school_class_id}
    entries = [
        audit.build_entry(
            actor=actor,
            instance=mark,
            action="update",
            changes={"kind": [kinds[existing[mark.student_id][1]].code, kinds[mark.kind_id].code]},
            student_id=mark.student_id,
            **links,
        )
        for mark in to_update
    ]
    if to_create:
        AttendanceMark.objects.bulk_create(to_create, batch_size=1000)
        entries += [
            audit.build_entry(
                actor=actor,
                instance=mark,
                action="create",
                changes={"lesson": [None, lesson.pk], "kind": [None, kinds[mark.kind_id].code]},
                student_id=mark.student_id,
                **links,
            )
            for mark in to_create
        ]
    # One UPDATE per kind the changed marks now have (a handful at most): far cheaper
    # than bulk_update's CASE over every row, whatever the number of students.
    by_kind: dict[int, list[int]] = defaultdict(list)
    for mark in to_update:
        by_kind[mark.kind_id].append(mark.pk)
    for kind_id, pks in sorted(by_kind.items()):
        AttendanceMark.objects.filter(pk__in=pks).update(
            kind_id=kind_id, updated_at=now, alerts_pending=True
        )
    return entries


def _write_lesson(
    actor: User, lesson: Lesson, topic: str, has_attendees: bool, now: datetime.datetime
) -> list[AuditEntry]:
    """The lesson's topic (a topic confirms it took place) and when attendance was
    first taken; the history entry of the change, if any."""
    before = audit.snapshot(lesson, fields=["topic", "conducted_at", "attendance_taken_at"])
    if topic != lesson.topic:
        lesson.topic = topic
        lesson.conducted_at = now if topic else None
    if lesson.attendance_taken_at is None and has_attendees:
        lesson.attendance_taken_at = now
    after = audit.snapshot(lesson, fields=before.keys())
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return []
    lesson.save(update_fields=list(changes))
    return [
        audit.build_entry(
            actor=actor,
            instance=lesson,
            action="update",
            changes=changes,
            school_class_id=lesson.school_class_id,
            object_repr=selectors.lesson_label(lesson),
        )
    ]


def alerts_check_later() -> None:
    """Queue the check of the flagged marks' warnings once this transaction commits."""

    def enqueue() -> None:
        if django_cache.add(alerts.ALERTS_CHECK_QUEUED, 1, alerts.ALERTS_CHECK_QUEUED_TIMEOUT):
            attendance_alerts_check.enqueue()

    transaction.on_commit(enqueue)
