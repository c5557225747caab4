"""The history of changes in words a principal reads (presentation only).

The history stores what services wrote: field names, foreign keys as ids, choices as
their stored values, times as UTC ISO strings, a model's ``str()`` of the day. None of
that is changed here; this module turns it into sentences in the reader's language and
time zone: fields by their verbose names, choices by their labels, times in
Europe/Warsaw, linked records by their names (a student with their class, a lesson by
date, lesson number, subject and class), the record itself described from what it is
now when it still exists. Lookups are batched: one query per kind of linked record on
a page, whatever the number of entries.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dziennik.attendance.models import AttendanceKind, AttendanceMark, Lesson
from dziennik.core.models import AuditEntry
from dziennik.grades.models import BehaviourGrade, ClassificationGrade, Grade
from dziennik.schools.models import Enrolment, Student
from dziennik.timetable.models import TimetableChange, TimetableEntry

# Fields whose models give no verbose name: Django would show the attribute's name in
# English ("submitted by"). One label each, translated.
FIELD_LABELS = {
    "action": gettext_lazy("action"),
    "actor": gettext_lazy("author"),
    "alerts_pending": gettext_lazy("warnings to check"),
    "assessment": gettext_lazy("gradebook column"),
    "at": gettext_lazy("time"),
    "average": gettext_lazy("average"),
    "category": gettext_lazy("category"),
    "client_id": gettext_lazy("client id"),
    "client_type": gettext_lazy("kind of client"),
    "date": gettext_lazy("date"),
    "decided_at": gettext_lazy("decided at"),
    "decided_by": gettext_lazy("decided by"),
    "entry": gettext_lazy("timetable entry"),
    "group": gettext_lazy("group"),
    "is_active": pgettext_lazy("history field", "active"),
    "key": gettext_lazy("key"),
    "kind": gettext_lazy("kind"),
    "lesson": gettext_lazy("lesson"),
    "marks": gettext_lazy("attendance marks"),
    "order": gettext_lazy("order"),
    "percent": gettext_lazy("percentage"),
    "recovery_codes": gettext_lazy("recovery codes"),
    "redirect_uris": gettext_lazy("redirect addresses"),
    "room": gettext_lazy("room"),
    "school": gettext_lazy("school"),
    "school_class": gettext_lazy("class"),
    "seen_at": gettext_lazy("seen at"),
    "student": gettext_lazy("student"),
    "subject": gettext_lazy("subject"),
    "submitted_at": gettext_lazy("submitted at"),
    "submitted_by": gettext_lazy("submitted by"),
    "teacher": gettext_lazy("teacher"),
    "term": gettext_lazy("term"),
    "timetable_entry": gettext_lazy("timetable entry"),
    "tokens_revoked": gettext_lazy("tokens revoked"),
    "user": gettext_lazy("user"),
    "value": gettext_lazy("value"),
    "password": gettext_lazy("password"),
}

# Bookkeeping a service records with the row but a reader has no use for: when the row
# was written (the entry's own time says it), internal flags, the school of a
# single-school history.
HIDDEN_FIELDS = frozenset(
    {
        "created_at",
        "updated_at",
        "alerts_pending",
        "school",
        "token",
        "chain_seq",
        "last_login",
        "date_joined",
        "session_generation",
    }
)
# Values a model derives from another field the entry shows (a grade's number from its
# symbol).
DERIVED_FIELDS = frozenset({("grade", "value")})

SENTENCES = {
    AuditEntry.Action.CREATE: gettext_lazy("New %(kind)s: %(record)s"),
    AuditEntry.Action.UPDATE: gettext_lazy("Changed %(kind)s: %(record)s"),
    AuditEntry.Action.DELETE: gettext_lazy("Deleted %(kind)s: %(record)s"),
}


@dataclass
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass
class Row:
    """One entry as the page shows it."""

    entry: AuditEntry
    kind: str
    record: str
    sentence: str
    student: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def lesson_text(lesson: Lesson) -> str:
    """E.g. "27.11.2026, lesson 2, Matematyka, 4a" (needs slot, subject, class, group)."""
    target = lesson.group or lesson.school_class
    return _("%(date)s, lesson %(number)s, %(subject)s, %(target)s") % {
        "date": formats.date_format(lesson.date, "d.m.Y"),
        "number": lesson.slot.number,
        "subject": lesson.subject.name,
        "target": target.name,
    }


def _grade_text(grade: Grade) -> str:
    column = grade.assessment
    return _("%(grade)s in %(subject)s, %(column)s (%(date)s)") % {
        "grade": grade.display,
        "subject": column.subject.name,
        "column": column.name,
        "date": formats.date_format(column.date, "d.m.Y"),
    }


LESSON_LINKS = ("slot", "subject", "school_class", "group")


def _classification_text(row: ClassificationGrade) -> str:
    """E.g. "Matematyka, term grade (proposed) – 4"; a descriptive one by its beginning
    (the whole text is in the entry's changes)."""
    kind = row.get_kind_display()
    if row.is_proposal:
        kind = _("%(kind)s (proposed)") % {"kind": kind}
    return _("%(subject)s, %(kind)s – %(grade)s") % {
        "subject": row.subject.name,
        "kind": kind,
        "grade": row.grade if row.grade else Truncator(row.text).chars(60),
    }


def _behaviour_text(row: BehaviourGrade) -> str:
    return _("%(kind)s – %(grade)s") % {
        "kind": row.get_kind_display(),
        "grade": row.get_value_display() or Truncator(row.text).chars(60),
    }


def _timetable_entry_text(entry: TimetableEntry) -> str:
    """E.g. "poniedziałek, lesson 2, Matematyka, 4a"."""
    target = entry.group or entry.school_class
    return _("%(weekday)s, lesson %(number)s, %(subject)s, %(target)s") % {
        "weekday": entry.get_weekday_display(),
        "number": entry.slot.number,
        "subject": entry.subject.name,
        "target": target.name,
    }


def _timetable_change_text(change: TimetableChange) -> str:
    return _("%(date)s, %(kind)s: %(entry)s") % {
        "date": formats.date_format(change.date, "d.m.Y"),
        "kind": change.get_kind_display(),
        "entry": _timetable_entry_text(change.entry),
    }


# How a record is named, when its model's ``str()`` is not meant for people: the
# related rows to load with it, and the name.
DESCRIBERS: dict[type[models.Model], tuple[tuple[str, ...], Callable[[Any], str]]] = {
    Lesson: (LESSON_LINKS, lesson_text),
    AttendanceMark: (tuple(f"lesson__{n}" for n in LESSON_LINKS), lambda m: lesson_text(m.lesson)),
    Grade: (("assessment__subject",), _grade_text),
    ClassificationGrade: (("subject",), _classification_text),
    BehaviourGrade: ((), _behaviour_text),
    TimetableEntry: (LESSON_LINKS, _timetable_entry_text),
    TimetableChange: (tuple(f"entry__{n}" for n in LESSON_LINKS), _timetable_change_text),
}


def _model(entry: AuditEntry):
    return entry.content_type.model_class()


def _field(model, name: str):
    if model is None:
        return None
    with contextlib.suppress(FieldDoesNotExist):
        return model._meta.get_field(name)
    return None


def _pairs(entry: AuditEntry):
    """(field or None, name, old, new) for each change the entry records."""
    model = _model(entry)
    for name, values in (entry.changes or {}).items():
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        yield _field(model, name), name, old, new


def _is_link(f) -> bool:
    return f is not None and bool(f.many_to_one or f.one_to_one or f.many_to_many)


def _ids(value) -> list:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if type(v) is int]


class Names:
    """The names of everything a page of entries points to, looked up in batches."""

    def __init__(self, entries: Iterable[AuditEntry]):
        self.entries = list(entries)
        self.by_id: dict[tuple[type, Any], str] = {}
        self.by_code: dict[tuple[type, int | None, str], str] = {}
        self.classes: dict[int, str] = {}
        wanted: dict[type, set] = defaultdict(set)
        codes: set[tuple[int | None, str]] = set()
        for entry in self.entries:
            model = _model(entry)
            if model in DESCRIBERS:
                with contextlib.suppress(ValueError):
                    wanted[model].add(int(entry.object_id))
            for f, name, old, new in _pairs(entry):
                if not _is_link(f) or name in HIDDEN_FIELDS:
                    continue
                for value in (old, new):
                    wanted[f.related_model].update(_ids(value))
                    # a few services record a kind's code instead of its id
                    if f.related_model is AttendanceKind and isinstance(value, str):
                        codes.add((entry.school_id, value))
        for related, ids in wanted.items():
            if ids:
                self._load(related, ids)
        self._load_kinds(codes)
        self._load_classes()

    def _load(self, related, ids: set) -> None:
        links, describe = DESCRIBERS.get(related, ((), str))
        if related not in DESCRIBERS:
            # the records' own links too, so that their names cost no further queries
            links = tuple(f.name for f in related._meta.concrete_fields if _is_link(f))
        records = related._default_manager.all()
        found = (records.select_related(*links) if links else records).in_bulk(ids)
        self.by_id.update({(related, pk): describe(obj) for pk, obj in found.items()})

    def _load_kinds(self, codes: set) -> None:
        if not codes:
            return
        schools = {school for school, _code in codes}
        kinds = AttendanceKind.objects.filter(
            school_id__in=schools, code__in={code for _school, code in codes}
        )
        for kind in kinds:
            self.by_code[(AttendanceKind, kind.school_id, kind.code)] = str(kind)

    def _load_classes(self) -> None:
        """The current class of every student named on the page (one query)."""
        students = {e.student_id for e in self.entries if e.student_id}
        students.update(pk for (model, pk) in self.by_id if model is Student)
        if not students:
            return
        current = Enrolment.objects.filter(student_id__in=students, end_date__isnull=True)
        classes: dict[int, list[str]] = defaultdict(list)
        for student_id, name in current.values_list("student_id", "school_class__name"):
            classes[student_id].append(name)
        self.classes = {pk: ", ".join(sorted(names)) for pk, names in classes.items()}
        for key in [k for k in self.by_id if k[0] is Student and k[1] in self.classes]:
            self.by_id[key] = f"{self.by_id[key]} ({self.classes[key[1]]})"

    def link(self, f, value, school_id) -> Any:
        if isinstance(value, list):
            return ", ".join(str(self.link(f, v, school_id)) for v in value) or None
        if isinstance(value, str):
            return self.by_code.get((f.related_model, school_id, value), value)
        return self.by_id.get((f.related_model, value), value)

    def student(self, entry: AuditEntry) -> str:
        if entry.student is None:
            return ""
        name = entry.student.full_name
        school_class = self.classes.get(entry.student_id)
        return f"{name} ({school_class})" if school_class else name

    def record(self, entry: AuditEntry) -> str:
        model = _model(entry)
        with contextlib.suppress(ValueError):
            return self.by_id.get((model, int(entry.object_id)), entry.object_repr)
        return entry.object_repr


def label(f, name: str) -> str:
    """A field's name for people: its own verbose name, or the table's."""
    if f is not None and isinstance(f.verbose_name, Promise):
        return str(f.verbose_name)
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return str(getattr(f, "verbose_name", None) or name.replace("_", " "))


def _moment(value: str, f) -> str | None:
    """A stored ISO date or time in the reader's zone and format, or None."""
    if isinstance(f, models.DateTimeField):
        parsed = parse_datetime(value)
        if parsed is not None:
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return formats.date_format(parsed, "d.m.Y H:i")
    elif isinstance(f, models.DateField):
        parsed = parse_date(value)
        if parsed is not None:
            return formats.date_format(parsed, "d.m.Y")
    elif isinstance(f, models.TimeField):
        parsed = parse_time(value)
        if parsed is not None:
            return parsed.strftime("%H:%M")
    return None


def show(value: Any, f=None) -> Any:
    """One stored value for people: choices by label, dates local, numbers localised."""
    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if f is not None and f.choices:
        return dict(f.flatchoices).get(value, value)
    if isinstance(value, str):
        moment = _moment(value, f)
        if moment is not None:
            return moment
        if isinstance(f, models.DecimalField):
            with contextlib.suppress(decimal.InvalidOperation):
                return formats.number_format(decimal.Decimal(value))
    if isinstance(value, datetime.date | decimal.Decimal | float):
        return formats.localize(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    return value


def field_changes(entry: AuditEntry, names: Names) -> list[FieldChange]:
    """The entry's ``{field: [old, new]}`` in words, without bookkeeping fields."""
    changes = []
    model = entry.content_type.model
    for f, name, old, new in _pairs(entry):
        if name in HIDDEN_FIELDS or (model, name) in DERIVED_FIELDS:
            continue
        # a new record's empty and "no" values say nothing
        if entry.action == AuditEntry.Action.CREATE and new in (None, "", [], False):
            continue
        if name == "password":
            changes.append(FieldChange(label(f, name), _("(hidden)"), _("(hidden)")))
            continue
        if _is_link(f):
            old = names.link(f, old, entry.school_id)
            new = names.link(f, new, entry.school_id)
            changes.append(FieldChange(label(f, name), show(old), show(new)))
        else:
            changes.append(FieldChange(label(f, name), show(old, f), show(new, f)))
    return changes


def record_kind(entry: AuditEntry) -> str:
    model = _model(entry)
    return str(model._meta.verbose_name) if model is not None else entry.content_type.model


def rows(entries: Iterable[AuditEntry]) -> list[Row]:
    """The page's entries, each as a sentence with its changes."""
    entries = list(entries)
    names = Names(entries)
    result = []
    for entry in entries:
        kind = record_kind(entry)
        record = names.record(entry)
        sentence = SENTENCES.get(entry.action, SENTENCES[AuditEntry.Action.UPDATE])
        result.append(
            Row(
                entry=entry,
                kind=kind,
                record=record,
                sentence=str(sentence) % {"kind": kind, "record": record},
                student=names.student(entry),
                changes=field_changes(entry, names),
            )
        )
    return result
