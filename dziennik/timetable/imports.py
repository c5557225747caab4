"""Reading and checking a timetable CSV (*plan lekcji* from aSc, VULCAN or a spreadsheet).

One row per weekly lesson of a class or of one of its groups (the format:
``docs/import-format.md``). ``parse`` checks the file on its own; ``plan`` matches the
rows against the school (classes, groups, subjects, teachers, rooms, the bell schedule)
and works out what replacing each class's plan from its date means: which entries end
the day before, which never started and go, which stay unchanged, which substitutions
and cancellations no longer apply, and every collision. Nothing here writes: the service
``timetable.services.timetable_import`` writes the plan this module builds, or nothing.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import csvimport
from dziennik.schools.models import (
    ClassGroup,
    LessonSlot,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
)

from . import collisions
from .models import Room, TimetableChange, TimetableEntry
from .selectors import TEACHING_ROLES

MAX_FILE_BYTES = csvimport.MAX_FILE_BYTES

# Column name → required. Order is the order of the template.
COLUMNS: dict[str, bool] = {
    "klasa": True,
    "grupa": False,
    "dzien": True,
    "lekcja": True,
    "przedmiot": True,
    "nauczyciel": True,
    "sala": False,
    "obowiazuje_od": False,
}
COLUMN_ALIASES = {
    "oddzial": "klasa",
    "class": "klasa",
    "group": "grupa",
    "dzien_tygodnia": "dzien",
    "day": "dzien",
    "weekday": "dzien",
    "nr_lekcji": "lekcja",
    "numer_lekcji": "lekcja",
    "lesson": "lekcja",
    "lesson_number": "lekcja",
    "subject": "przedmiot",
    "teacher": "nauczyciel",
    "room": "sala",
    "od": "obowiazuje_od",
    "data_od": "obowiazuje_od",
    "valid_from": "obowiazuje_od",
}
WEEKDAYS = {
    1: ("1", "pon", "pn", "poniedzialek", "mon", "monday"),
    2: ("2", "wt", "wto", "wtorek", "tue", "tuesday"),
    3: ("3", "sr", "sro", "sroda", "wed", "wednesday"),
    4: ("4", "czw", "cz", "czwartek", "thu", "thursday"),
    5: ("5", "pt", "pia", "piatek", "fri", "friday"),
    6: ("6", "sob", "so", "sobota", "sat", "saturday"),
    7: ("7", "nd", "ndz", "nie", "niedziela", "sun", "sunday"),
}
WEEKDAY_BY_NAME = {name: number for number, names in WEEKDAYS.items() for name in names}
LIMITS = {"klasa": 20, "grupa": 50, "przedmiot": 100, "nauczyciel": 150, "sala": 50}

TEMPLATE_ROWS = [
    {
        "klasa": "4a",
        "dzien": "pon",
        "lekcja": "1",
        "przedmiot": "Język polski",
        "nauczyciel": "Wójcik Grażyna",
        "sala": "12",
        "obowiazuje_od": "01.09.2026",
    },
    {
        "klasa": "4a",
        "grupa": "gr. 1",
        "dzien": "pon",
        "lekcja": "2",
        "przedmiot": "Język angielski",
        "nauczyciel": "akowalska",
        "sala": "21",
        "obowiazuje_od": "01.09.2026",
    },
    {
        "klasa": "4a",
        "grupa": "gr. 2",
        "dzien": "pon",
        "lekcja": "2",
        "przedmiot": "Język angielski",
        "nauczyciel": "Nowak Piotr",
        "sala": "22",
        "obowiazuje_od": "01.09.2026",
    },
    {
        "klasa": "4a",
        "dzien": "2",
        "lekcja": "3",
        "przedmiot": "MAT",
        "nauczyciel": "Lewandowski Tomasz",
        "sala": "12",
        "obowiazuje_od": "01.09.2026",
    },
]


# --- results ----------------------------------------------------------------------


@dataclass
class ClassPlan:
    """What the import does to one class: its plan is replaced from ``valid_from``."""

    school_class: SchoolClass
    valid_from: datetime.date
    new: list[TimetableEntry] = field(default_factory=list)  # to create (unsaved)
    unchanged: list[TimetableEntry] = field(default_factory=list)  # the same row, kept
    ending: list[TimetableEntry] = field(default_factory=list)  # end the day before
    removed: list[TimetableEntry] = field(default_factory=list)  # never started: go
    changes_removed: list[TimetableChange] = field(default_factory=list)

    @property
    def last_old_day(self) -> datetime.date:
        return self.valid_from - datetime.timedelta(days=1)


@dataclass
class TimetableImportResult(csvimport.CheckedFile):
    """What an import did (or, for a preview or a refused file, would do)."""

    classes: list[ClassPlan] = field(default_factory=list)
    new_rooms: list[Room] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(len(getattr(plan, name)) for plan in self.classes)

    @property
    def created(self) -> int:
        return self.total("new")

    @property
    def changes(self) -> int:
        return sum(
            self.total(name) for name in ("new", "ending", "removed", "changes_removed")
        ) + len(self.new_rooms)


# --- parsing ----------------------------------------------------------------------


@dataclass
class PlanRow:
    line: int
    class_name: str
    group_name: str
    weekday: int
    number: int
    subject: str
    teacher: str
    room: str
    valid_from: datetime.date

    @property
    def class_key(self) -> str:
        return self.class_name.casefold()


def normalize_column(name: str) -> str:
    name = csvimport.plain_name(name)
    return COLUMN_ALIASES.get(name, name)


def parse_weekday(value: str) -> int | None:
    """``1``–``7``, ``pon``/``poniedziałek``, ``śr.``, ``Friday``…; None when unknown."""
    return WEEKDAY_BY_NAME.get(csvimport.plain_name(value))


def _squash_spaces(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def parse(
    data: bytes, result: TimetableImportResult, *, default_valid_from: datetime.date | None
) -> list[PlanRow]:
    """Read and check the file on its own (no database). Problems go into ``result``.

    ``default_valid_from`` is the date chosen on the page, for rows without one.
    """
    rows: list[PlanRow] = []
    for line, values in csvimport.read_rows(
        data, columns=COLUMNS, normalize=normalize_column, result=result
    ):
        row = _parse_row(line, values, result, default_valid_from)
        if row is not None:
            rows.append(row)
    if not result.file_errors and result.rows == 0:
        result.file_errors.append(_("The file has a header but no lessons."))
    # One class, one date: the class's plan is replaced from it.
    first_date: dict[str, PlanRow] = {}
    for row in rows:
        first = first_date.setdefault(row.class_key, row)
        if first.valid_from != row.valid_from:
            result.error(
                row.line,
                _(
                    "Class %(class)s gets its new plan from %(date)s in line %(line)s; all "
                    "lessons of one class must have the same date."
                )
                % {
                    "class": row.class_name,
                    "date": first.valid_from.strftime("%d.%m.%Y"),
                    "line": first.line,
                },
            )
    result.row_errors.sort(key=lambda e: e.line)
    return rows


def _parse_row(
    line: int,
    values: dict[str, str],
    result: TimetableImportResult,
    default_valid_from: datetime.date | None,
) -> PlanRow | None:
    errors: list[str] = []
    for name, required in COLUMNS.items():
        if required and not values[name]:
            errors.append(_("Missing value in column %(column)s.") % {"column": name})
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.append(
                _("The value in column %(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )
    weekday = None
    if values["dzien"]:
        weekday = parse_weekday(values["dzien"])
        if weekday is None:
            errors.append(
                _("Weekday %(value)s is unknown (use 1–5 or pon, wt, śr, czw, pt).")
                % {"value": values["dzien"]}
            )
    number = None
    if values["lekcja"]:
        if values["lekcja"].isdigit() and int(values["lekcja"]) <= 15:
            number = int(values["lekcja"])
        else:
            errors.append(
                _("Lesson number %(value)s is not a number from 0 to 15.")
                % {"value": values["lekcja"]}
            )
    valid_from = default_valid_from
    if values["obowiazuje_od"]:
        valid_from = csvimport.parse_date(values["obowiazuje_od"])
        if valid_from is None:
            errors.append(
                _("Date %(value)s is not a date (use DD.MM.YYYY or YYYY-MM-DD).")
                % {"value": values["obowiazuje_od"]}
            )
    elif valid_from is None:
        errors.append(
            _(
                "Missing value in column %(column)s (or choose the date from which the plan "
                "applies on the import page)."
            )
            % {"column": "obowiazuje_od"}
        )
    for message in errors:
        result.error(line, message)
    if errors:
        return None
    return PlanRow(
        line=line,
        class_name=values["klasa"],
        group_name=_squash_spaces(values["grupa"]),
        weekday=weekday,
        number=number,
        subject=_squash_spaces(values["przedmiot"]),
        teacher=_squash_spaces(values["nauczyciel"]),
        room=_squash_spaces(values["sala"]),
        valid_from=valid_from,
    )


# --- matching against the school ---------------------------------------------------


class _Directory:
    """The school's classes, groups, subjects, teachers, rooms and lesson numbers,
    read once, with the lookups a row needs (each returns the object or an error)."""

    def __init__(self, school: School):
        self.school = school
        self.years = list(SchoolYear.objects.filter(school=school).order_by("start_date"))
        year_ids = {y.pk for y in self.years}
        self.classes = {
            (c.school_year_id, c.name.casefold()): c
            for c in SchoolClass.objects.filter(school=school, school_year_id__in=year_ids)
        }
        self.groups: dict[int, dict[str, ClassGroup]] = defaultdict(dict)
        for group in ClassGroup.objects.filter(school_class__school=school):
            self.groups[group.school_class_id][group.name.casefold()] = group
        subjects = list(Subject.objects.filter(school=school))
        self.subject_by_name = {s.name.casefold(): s for s in subjects}
        self.subjects_by_short: dict[str, list[Subject]] = defaultdict(list)
        for subject in subjects:
            if subject.short_name:
                self.subjects_by_short[subject.short_name.casefold()].append(subject)
        teachers = list(
            User.objects.filter(
                school=school,
                is_active=True,
                school_roles__school=school,
                school_roles__role__in=TEACHING_ROLES,
            )
            .distinct()
            .order_by("pk")
        )
        self.teacher_by_username = {t.username.casefold(): t for t in teachers}
        self.teachers_by_name: dict[str, list[User]] = defaultdict(list)
        for teacher in teachers:
            last_first = _squash_spaces(f"{teacher.last_name} {teacher.first_name}").casefold()
            first_last = _squash_spaces(f"{teacher.first_name} {teacher.last_name}").casefold()
            self.teachers_by_name[last_first].append(teacher)
            if first_last != last_first:
                self.teachers_by_name[first_last].append(teacher)
        self.rooms = {r.name.casefold(): r for r in Room.objects.filter(school=school)}
        self.new_rooms: dict[str, Room] = {}
        self.slots = {s.number: s for s in LessonSlot.objects.filter(school=school)}

    def year(self, day: datetime.date) -> SchoolYear | None:
        return next((y for y in self.years if y.start_date <= day <= y.end_date), None)

    def school_class(self, row: PlanRow, errors: list[str]) -> SchoolClass | None:
        year = self.year(row.valid_from)
        if year is None:
            errors.append(
                _("The school has no school year on %(date)s; add it in the administration.")
                % {"date": row.valid_from.strftime("%d.%m.%Y")}
            )
            return None
        school_class = self.classes.get((year.pk, row.class_key))
        if school_class is None:
            errors.append(
                _("The school has no class %(class)s in the school year %(year)s.")
                % {"class": row.class_name, "year": year.name}
            )
        return school_class

    def group(self, school_class: SchoolClass, row: PlanRow, errors: list[str]):
        if not row.group_name:
            return None
        groups = self.groups.get(school_class.pk, {})
        group = groups.get(row.group_name.casefold())
        if group is None:
            names = ", ".join(sorted(g.name for g in groups.values())) or "–"
            errors.append(
                _("Class %(class)s has no group %(group)s (its groups: %(groups)s).")
                % {"class": school_class.name, "group": row.group_name, "groups": names}
            )
        return group

    def subject(self, row: PlanRow, errors: list[str]) -> Subject | None:
        key = row.subject.casefold()
        subject = self.subject_by_name.get(key)
        if subject is not None:
            return subject
        candidates = self.subjects_by_short.get(key, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            errors.append(
                _("The short name %(value)s fits several subjects: %(subjects)s.")
                % {"value": row.subject, "subjects": ", ".join(s.name for s in candidates)}
            )
        else:
            errors.append(
                _("The school has no subject %(value)s (give its name or short name).")
                % {"value": row.subject}
            )
        return None

    def teacher(self, row: PlanRow, errors: list[str]) -> User | None:
        key = row.teacher.casefold()
        teacher = self.teacher_by_username.get(key)
        if teacher is not None:
            return teacher
        candidates = self.teachers_by_name.get(key, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            errors.append(
                _(
                    "Several teachers are called %(value)s; give the login of the one you "
                    "mean (%(logins)s)."
                )
                % {"value": row.teacher, "logins": ", ".join(t.username for t in candidates)}
            )
        else:
            errors.append(
                _(
                    "The school has no teacher %(value)s (give the login or “Last name "
                    "First name” of a teacher with an active account)."
                )
                % {"value": row.teacher}
            )
        return None

    def room(self, row: PlanRow) -> Room | None:
        if not row.room:
            return None
        key = row.room.casefold()
        room = self.rooms.get(key)
        if room is None:
            room = self.new_rooms.setdefault(key, Room(school=self.school, name=row.room))
        return room

    def slot(self, row: PlanRow, errors: list[str]) -> LessonSlot | None:
        slot = self.slots.get(row.number)
        if slot is None:
            errors.append(
                _("Lesson number %(number)s is not in the school's bell schedule.")
                % {"number": row.number}
            )
        return slot


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
    directory = _Directory(school)
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
    plans: dict[int, ClassPlan], result: TimetableImportResult, directory: _Directory
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


def template_csv() -> str:
    """The downloadable template: the header and example rows, ``;``-separated."""
    return csvimport.template_csv(list(COLUMNS), TEMPLATE_ROWS)
