"""CSV import of classes, students and guardians (the secretary's start-of-year import).

One row per student, with up to two guardians (the format: ``docs/import-format.md``).
The import is all or nothing: the file is parsed and every row checked first; any bad row
means nothing is written and every bad row is reported with its line number and reason.
A good file is written in one transaction, each change recorded in the history.
Re-importing the same file changes nothing: students are matched by their import
identifier (or by name and date of birth), guardians by name together with e-mail, phone
or an existing link to the student.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit, csvimport
from dziennik.core.csvimport import parse_date

from .models import (
    Enrolment,
    Family,
    Guardian,
    Guardianship,
    School,
    SchoolClass,
    SchoolYear,
    Student,
)
from .selectors import current_school_year

MAX_FILE_BYTES = csvimport.MAX_FILE_BYTES
MAX_JOURNAL_NUMBER = 999

GUARDIAN_SLOTS = (1, 2)
GUARDIAN_PARTS = ("imie", "nazwisko", "relacja", "email", "telefon")

# Column name → required. Order is the order of the template.
COLUMNS: dict[str, bool] = {
    "klasa": True,
    "poziom": False,
    "nr_w_dzienniku": True,
    "id_ucznia": False,
    "imie": True,
    "drugie_imie": False,
    "nazwisko": True,
    "data_urodzenia": True,
    "miejsce_urodzenia": False,
    "pesel": False,
    "adres": False,
}
for _slot in GUARDIAN_SLOTS:
    for _part in GUARDIAN_PARTS:
        COLUMNS[f"opiekun{_slot}_{_part}"] = False

# English column names are accepted too (normalized form → canonical column).
COLUMN_ALIASES: dict[str, str] = {
    "class": "klasa",
    "level": "poziom",
    "journal_number": "nr_w_dzienniku",
    "external_id": "id_ucznia",
    "student_id": "id_ucznia",
    "first_name": "imie",
    "second_name": "drugie_imie",
    "last_name": "nazwisko",
    "birth_date": "data_urodzenia",
    "birth_place": "miejsce_urodzenia",
    "address": "adres",
}
for _slot in GUARDIAN_SLOTS:
    for _en, _pl in (
        ("first_name", "imie"),
        ("last_name", "nazwisko"),
        ("relation", "relacja"),
        ("email", "email"),
        ("e_mail", "email"),
        ("phone", "telefon"),
    ):
        COLUMN_ALIASES[f"guardian{_slot}_{_en}"] = f"opiekun{_slot}_{_pl}"
    COLUMN_ALIASES[f"opiekun{_slot}_e_mail"] = f"opiekun{_slot}_email"

RELATIONS: dict[str, str] = {
    "matka": Guardianship.Relation.MOTHER,
    "mother": Guardianship.Relation.MOTHER,
    "ojciec": Guardianship.Relation.FATHER,
    "father": Guardianship.Relation.FATHER,
    "opiekun_prawny": Guardianship.Relation.LEGAL_GUARDIAN,
    "opiekunka_prawna": Guardianship.Relation.LEGAL_GUARDIAN,
    "legal_guardian": Guardianship.Relation.LEGAL_GUARDIAN,
    "rodzic_zastepczy": Guardianship.Relation.FOSTER_PARENT,
    "rodzina_zastepcza": Guardianship.Relation.FOSTER_PARENT,
    "foster_parent": Guardianship.Relation.FOSTER_PARENT,
}

TEMPLATE_ROWS = [
    {
        "klasa": "4a",
        "poziom": "4",
        "nr_w_dzienniku": "1",
        "id_ucznia": "U-2026-001",
        "imie": "Zofia",
        "drugie_imie": "Maria",
        "nazwisko": "Wiśniewska",
        "data_urodzenia": "17.05.2016",
        "miejsce_urodzenia": "Kraków",
        "pesel": "16251701247",
        "adres": "ul. Źródlana 5/3, 30-001 Kraków",
        "opiekun1_imie": "Anna",
        "opiekun1_nazwisko": "Wiśniewska",
        "opiekun1_relacja": "matka",
        "opiekun1_email": "anna.wisniewska@example.pl",
        "opiekun1_telefon": "601 234 567",
        "opiekun2_imie": "Łukasz",
        "opiekun2_nazwisko": "Wiśniewski",
        "opiekun2_relacja": "ojciec",
        "opiekun2_email": "",
        "opiekun2_telefon": "602 345 678",
    },
    {
        "klasa": "7b",
        "poziom": "7",
        "nr_w_dzienniku": "12",
        "id_ucznia": "U-2023-014",
        "imie": "Jędrzej",
        "drugie_imie": "",
        "nazwisko": "Wiśniewski",
        "data_urodzenia": "2013-02-03",
        "miejsce_urodzenia": "Kraków",
        "pesel": "",
        "adres": "ul. Źródlana 5/3, 30-001 Kraków",
        "opiekun1_imie": "Anna",
        "opiekun1_nazwisko": "Wiśniewska",
        "opiekun1_relacja": "matka",
        "opiekun1_email": "anna.wisniewska@example.pl",
        "opiekun1_telefon": "601 234 567",
        "opiekun2_imie": "",
        "opiekun2_nazwisko": "",
        "opiekun2_relacja": "",
        "opiekun2_email": "",
        "opiekun2_telefon": "",
    },
]


# --- results ----------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


KINDS = ("classes", "students", "enrolments", "guardians", "guardianships", "families")


@dataclass
class ImportResult(csvimport.CheckedFile):
    """What an import did (or, for a dry run or a refused file, would have done)."""

    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})

    @property
    def changes(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def count_rows(self) -> list[tuple[str, str, Counts]]:
        labels = {
            "classes": _("Classes"),
            "students": _("Students"),
            "enrolments": _("Enrolments"),
            "guardians": _("Guardians"),
            "guardianships": _("Guardian links"),
            "families": _("Families"),
        }
        return [(key, labels[key], self.counts[key]) for key in KINDS]


# --- parsing ----------------------------------------------------------------------


@dataclass
class GuardianRow:
    line: int
    first_name: str
    last_name: str
    relation: str
    email: str
    phone: str
    address: str  # the student's address, used to tell namesakes apart

    @property
    def name_key(self) -> tuple[str, str]:
        return (self.first_name.casefold(), self.last_name.casefold())

    def identity_keys(self) -> list[tuple]:
        """Two mentions are the same person when the name and one of these match."""
        keys = []
        if self.email:
            keys.append((*self.name_key, "email", self.email.casefold()))
        if self.phone:
            keys.append((*self.name_key, "phone", self.phone))
        if self.address:
            keys.append((*self.name_key, "address", _squash(self.address)))
        if not keys:
            keys.append((*self.name_key, "line", self.line))
        return keys


@dataclass
class StudentRow:
    line: int
    class_name: str
    level: int
    journal_number: int
    external_id: str
    first_name: str
    second_name: str
    last_name: str
    birth_date: datetime.date
    birth_place: str
    pesel: str
    address: str
    guardians: list[GuardianRow]

    @property
    def name_key(self) -> tuple[str, str, datetime.date]:
        return (self.first_name.casefold(), self.last_name.casefold(), self.birth_date)

    @property
    def class_key(self) -> str:
        return self.class_name.casefold()


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def normalize_column(name: str) -> str:
    """``"Opiekun 1 – imię"`` → ``"opiekun1_imie"``; English names → the Polish ones."""
    name = csvimport.plain_name(name)
    return COLUMN_ALIASES.get(name, name)


PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def pesel_birth_date(pesel: str) -> datetime.date | None:
    """The date of birth a well-formed PESEL encodes, or None when the checksum fails."""
    if not re.fullmatch(r"\d{11}", pesel):
        return None
    digits = [int(d) for d in pesel]
    control = (10 - sum(d * w for d, w in zip(digits, PESEL_WEIGHTS, strict=False)) % 10) % 10
    if control != digits[10]:
        return None
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    century = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800}.get(month // 20)
    if century is None:
        return None
    try:
        return datetime.date(century + year, month % 20, day)
    except ValueError:
        return None


def normalize_phone(value: str) -> str | None:
    """Digits only (a leading + kept); None when it is not a phone number."""
    value = value.strip()
    if not re.fullmatch(r"\+?[\d\s\-()./]+", value):
        return None
    digits = re.sub(r"\D", "", value)
    if not 9 <= len(digits) <= 15:
        return None
    return ("+" if value.startswith("+") else "") + digits


def parse(data: bytes, result: ImportResult) -> list[StudentRow]:
    """Read and check the file on its own (no database). Problems go into ``result``."""
    rows: list[StudentRow] = []
    for line, values in csvimport.read_rows(
        data, columns=COLUMNS, normalize=normalize_column, result=result
    ):
        row = _parse_row(line, values, result)
        if row is not None:
            rows.append(row)
    if not result.file_errors and result.rows == 0:
        result.file_errors.append(_("The file has a header but no students."))
    _check_file_consistency(rows, result)
    result.row_errors.sort(key=lambda e: e.line)
    return rows


def _parse_row(line: int, values: dict[str, str], result: ImportResult) -> StudentRow | None:
    errors: list[str] = []
    for name, required in COLUMNS.items():
        if required and not values[name]:
            errors.append(_("Missing value in column %(column)s.") % {"column": name})

    journal_number = 0
    if values["nr_w_dzienniku"]:
        if values["nr_w_dzienniku"].isdigit() and (
            1 <= int(values["nr_w_dzienniku"]) <= MAX_JOURNAL_NUMBER
        ):
            journal_number = int(values["nr_w_dzienniku"])
        else:
            errors.append(
                _("Journal number %(value)s is not a number from 1 to %(max)s.")
                % {"value": values["nr_w_dzienniku"], "max": MAX_JOURNAL_NUMBER}
            )

    level = 0
    if values["poziom"]:
        if values["poziom"].isdigit() and 0 <= int(values["poziom"]) <= 13:
            level = int(values["poziom"])
        else:
            errors.append(
                _("Level %(value)s is not a number from 0 to 13.") % {"value": values["poziom"]}
            )
    elif values["klasa"]:
        match = re.match(r"\d+", values["klasa"])
        if match:
            level = int(match.group())
        else:
            errors.append(
                _(
                    "Missing value in column %(column)s (it cannot be read from the class "
                    "name %(name)s)."
                )
                % {"column": "poziom", "name": values["klasa"]}
            )
    if len(values["klasa"]) > 20:
        errors.append(_("The class name is longer than 20 characters."))

    birth_date = None
    if values["data_urodzenia"]:
        birth_date = parse_date(values["data_urodzenia"])
        if birth_date is None:
            errors.append(
                _("Date of birth %(value)s is not a date (use DD.MM.YYYY or YYYY-MM-DD).")
                % {"value": values["data_urodzenia"]}
            )
        elif birth_date > timezone.localdate():
            errors.append(
                _("Date of birth %(value)s is in the future.") % {"value": values["data_urodzenia"]}
            )

    pesel = values["pesel"].replace(" ", "")
    if pesel:
        pesel_date = pesel_birth_date(pesel)
        if pesel_date is None:
            errors.append(_("PESEL %(value)s is not valid.") % {"value": values["pesel"]})
        elif birth_date is not None and pesel_date != birth_date:
            errors.append(
                _("PESEL %(value)s does not match the date of birth %(date)s.")
                % {"value": pesel, "date": values["data_urodzenia"]}
            )

    for name, limit in (
        ("id_ucznia", 50),
        ("imie", 100),
        ("drugie_imie", 100),
        ("nazwisko", 100),
        ("miejsce_urodzenia", 100),
        ("adres", 200),
    ):
        if len(values[name]) > limit:
            errors.append(
                _("The value in column %(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )

    guardians: list[GuardianRow] = []
    for slot in GUARDIAN_SLOTS:
        guardian = _parse_guardian(line, slot, values, errors)
        if guardian is not None:
            guardians.append(guardian)
    if len(guardians) == 2 and guardians[0].identity_keys()[0] == guardians[1].identity_keys()[0]:
        errors.append(_("Guardian 1 and guardian 2 are the same person."))

    for message in errors:
        result.error(line, message)
    if errors:
        return None
    return StudentRow(
        line=line,
        class_name=values["klasa"],
        level=level,
        journal_number=journal_number,
        external_id=values["id_ucznia"],
        first_name=values["imie"],
        second_name=values["drugie_imie"],
        last_name=values["nazwisko"],
        birth_date=birth_date,
        birth_place=values["miejsce_urodzenia"],
        pesel=pesel,
        address=values["adres"],
        guardians=guardians,
    )


def _parse_guardian(
    line: int, slot: int, values: dict[str, str], errors: list[str]
) -> GuardianRow | None:
    cells = {part: values[f"opiekun{slot}_{part}"] for part in GUARDIAN_PARTS}
    if not any(cells.values()):
        return None
    for part in ("imie", "nazwisko", "relacja"):
        if not cells[part]:
            errors.append(
                _("Missing value in column %(column)s.") % {"column": f"opiekun{slot}_{part}"}
            )
    relation = ""
    if cells["relacja"]:
        relation = RELATIONS.get(normalize_column(cells["relacja"]), "")
        if not relation:
            errors.append(
                _("Unknown relation %(value)s of guardian %(slot)s (allowed: %(allowed)s).")
                % {
                    "value": cells["relacja"],
                    "slot": slot,
                    "allowed": "matka, ojciec, opiekun prawny, rodzina zastępcza",
                }
            )
    email = cells["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("E-mail %(value)s of guardian %(slot)s is not valid.")
                % {"value": email, "slot": slot}
            )
    phone = ""
    if cells["telefon"]:
        phone = normalize_phone(cells["telefon"]) or ""
        if not phone:
            errors.append(
                _("Phone %(value)s of guardian %(slot)s is not valid.")
                % {"value": cells["telefon"], "slot": slot}
            )
    for part, limit in (("imie", 100), ("nazwisko", 100), ("email", 254)):
        if len(cells[part]) > limit:
            errors.append(
                _("The value in column %(column)s is longer than %(limit)s characters.")
                % {"column": f"opiekun{slot}_{part}", "limit": limit}
            )
    return GuardianRow(
        line=line,
        first_name=cells["imie"],
        last_name=cells["nazwisko"],
        relation=relation,
        email=email.casefold(),
        phone=phone,
        address=values["adres"],
    )


def _check_file_consistency(rows: list[StudentRow], result: ImportResult) -> None:
    """Rules across rows: one journal number per class, each student once, one level."""
    numbers: dict[tuple[str, int], int] = {}
    external_ids: dict[str, int] = {}
    names: dict[tuple, int] = {}
    levels: dict[str, tuple[int, int]] = {}
    by_line = {row.line: row for row in rows}
    for row in rows:
        first = numbers.setdefault((row.class_key, row.journal_number), row.line)
        if first != row.line:
            result.error(
                row.line,
                _("Journal number %(number)s in class %(class)s is already used in line %(line)s.")
                % {"number": row.journal_number, "class": row.class_name, "line": first},
            )
        if row.external_id:
            first = external_ids.setdefault(row.external_id, row.line)
            if first != row.line:
                result.error(
                    row.line,
                    _("The same student (identifier %(id)s) is already in line %(line)s.")
                    % {"id": row.external_id, "line": first},
                )
        first = names.setdefault(row.name_key, row.line)
        first_row = by_line.get(first)
        if first != row.line and not (row.external_id and first_row.external_id):
            result.error(
                row.line,
                _("The same student (same name and date of birth) is already in line %(line)s.")
                % {"line": first},
            )
        level_line = levels.setdefault(row.class_key, (row.level, row.line))
        if level_line[0] != row.level:
            result.error(
                row.line,
                _("Class %(class)s has level %(level)s in line %(line)s.")
                % {"class": row.class_name, "level": level_line[0], "line": level_line[1]},
            )


# --- matching against the database -------------------------------------------------


@dataclass
class _Plan:
    school: School
    year: SchoolYear
    rows: list[StudentRow]
    students: dict[int, Student | None]  # line → matched student
    classes: dict[str, SchoolClass]  # class key → existing class of the year


def _match(school: School, year: SchoolYear, rows: list[StudentRow], result: ImportResult) -> _Plan:
    existing = list(Student.objects.filter(school=school))
    by_external = {s.external_id: s for s in existing if s.external_id}
    by_name: dict[tuple, list[Student]] = {}
    for student in existing:
        if student.birth_date is not None:
            key = (student.first_name.casefold(), student.last_name.casefold(), student.birth_date)
            by_name.setdefault(key, []).append(student)

    matched: dict[int, Student | None] = {}
    taken_by: dict[int, int] = {}
    for row in rows:
        student = by_external.get(row.external_id) if row.external_id else None
        if student is None:
            candidates = [
                s for s in by_name.get(row.name_key, []) if not s.external_id or not row.external_id
            ]
            if len(candidates) > 1:
                result.error(
                    row.line,
                    _(
                        "%(count)s students of the school have this name and date of birth; "
                        "give the student identifier (id_ucznia) to tell them apart."
                    )
                    % {"count": len(candidates)},
                )
                continue
            student = candidates[0] if candidates else None
        if student is not None:
            first = taken_by.setdefault(student.pk, row.line)
            if first != row.line:
                result.error(
                    row.line,
                    _("Line %(line)s already refers to the same student.") % {"line": first},
                )
                continue
        matched[row.line] = student

    classes = {
        c.name.casefold(): c for c in SchoolClass.objects.filter(school=school, school_year=year)
    }
    # After the import a class holds the file's students plus those already enrolled whom
    # the file does not mention; their journal numbers must not collide.
    mentioned = {s.pk for s in matched.values() if s is not None}
    staying = (
        Enrolment.objects.filter(school_class__in=classes.values(), end_date__isnull=True)
        .exclude(student_id__in=mentioned)
        .select_related("student")
    )
    occupied = {(e.school_class.name.casefold(), e.journal_number): e.student for e in staying}
    for row in rows:
        holder = occupied.get((row.class_key, row.journal_number))
        if holder is not None:
            result.error(
                row.line,
                _(
                    "Journal number %(number)s in class %(class)s already belongs to "
                    "%(student)s, who is not in the file."
                )
                % {"number": row.journal_number, "class": row.class_name, "student": holder},
            )
    return _Plan(school=school, year=year, rows=rows, students=matched, classes=classes)


# --- writing ----------------------------------------------------------------------


class _Writer:
    """Applies a checked plan. Every change goes into the history with the actor."""

    def __init__(self, plan: _Plan, actor, result: ImportResult, today: datetime.date):
        self.plan = plan
        self.actor = actor
        self.result = result
        self.today = today
        self.start_date = max(today, plan.year.start_date)

    # history helpers
    def _created(self, kind: str, instance, **links) -> None:
        audit.record_create(actor=self.actor, instance=instance, **links)
        self.result.counts[kind].created += 1

    def _update(self, kind: str, instance, new_values: dict[str, Any], **links) -> bool:
        """Set the values that differ, save and record; count as updated or unchanged."""
        changed = {k: v for k, v in new_values.items() if getattr(instance, k) != v}
        if not changed:
            self.result.counts[kind].unchanged += 1
            return False
        before = audit.snapshot(instance, fields=changed.keys())
        for name, value in changed.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(changed))
        audit.record_update(actor=self.actor, instance=instance, before=before, **links)
        self.result.counts[kind].updated += 1
        return True

    def run(self) -> None:
        classes = self._classes()
        students = self._students(classes)
        self._enrolments(students, classes)
        guardians = self._guardians(students)
        self._families(students, guardians)

    def _classes(self) -> dict[str, SchoolClass]:
        plan = self.plan
        classes = dict(plan.classes)
        levels: dict[str, tuple[str, int]] = {}
        for row in plan.rows:
            levels.setdefault(row.class_key, (row.class_name, row.level))
        for key, (name, level) in levels.items():
            school_class = classes.get(key)
            if school_class is None:
                school_class = SchoolClass.objects.create(
                    school=plan.school, school_year=plan.year, name=name, level=level
                )
                classes[key] = school_class
                self._created("classes", school_class, school_class_id=school_class.pk)
            else:
                self._update(
                    "classes", school_class, {"level": level}, school_class_id=school_class.pk
                )
        return classes

    def _students(self, classes: dict[str, SchoolClass]) -> dict[int, Student]:
        students: dict[int, Student] = {}
        for row in self.plan.rows:
            class_id = classes[row.class_key].pk
            student = self.plan.students.get(row.line)
            values = {
                "first_name": row.first_name,
                "last_name": row.last_name,
                "birth_date": row.birth_date,
            }
            # Empty cells never erase what the school already has.
            for name, value in (
                ("second_name", row.second_name),
                ("birth_place", row.birth_place),
                ("pesel", row.pesel),
                ("address", row.address),
                ("external_id", row.external_id),
            ):
                if value:
                    values[name] = value
            if student is None:
                student = Student.objects.create(school=self.plan.school, **values)
                self._created("students", student, student_id=student.pk, school_class_id=class_id)
            else:
                self._update(
                    "students", student, values, student_id=student.pk, school_class_id=class_id
                )
            students[row.line] = student
        return students

    def _enrolments(self, students: dict[int, Student], classes: dict[str, SchoolClass]) -> None:
        current = {
            e.student_id: e
            for e in Enrolment.objects.filter(
                student_id__in=[s.pk for s in students.values()], end_date__isnull=True
            )
        }
        renumber: list[tuple[Enrolment, int]] = []
        new: list[tuple[StudentRow, Student]] = []
        for row in self.plan.rows:
            student = students[row.line]
            target = classes[row.class_key]
            enrolment = current.get(student.pk)
            if enrolment is not None and enrolment.school_class_id == target.pk:
                if enrolment.journal_number == row.journal_number:
                    self.result.counts["enrolments"].unchanged += 1
                else:
                    renumber.append((enrolment, row.journal_number))
                continue
            if enrolment is not None:
                # A student now in another class: the old enrolment ends, records stay.
                self._update(
                    "enrolments",
                    enrolment,
                    {"end_date": self.today},
                    student_id=student.pk,
                    school_class_id=enrolment.school_class_id,
                )
            new.append((row, student))
        # Swapped journal numbers inside a class would collide half-way: park them first.
        for offset, (enrolment, _number) in enumerate(renumber):
            Enrolment.objects.filter(pk=enrolment.pk).update(journal_number=20000 + offset)
        for enrolment, number in renumber:
            self._update(
                "enrolments",
                enrolment,
                {"journal_number": number},
                student_id=enrolment.student_id,
                school_class_id=enrolment.school_class_id,
            )
        for row, student in new:
            target = classes[row.class_key]
            enrolment = Enrolment.objects.create(
                student=student,
                school_class=target,
                journal_number=row.journal_number,
                start_date=self.start_date,
            )
            self._created(
                "enrolments",
                enrolment,
                school_id=self.plan.school.pk,
                student_id=student.pk,
                school_class_id=target.pk,
            )

    def _guardians(self, students: dict[int, Student]) -> dict[int, list[Guardian]]:
        """Create or match each guardian once, link them; returns line → guardians."""
        school = self.plan.school
        # One person mentioned in several rows (siblings): same name and same e-mail,
        # phone or home address.
        mentions = [g for row in self.plan.rows for g in row.guardians]
        person_of: dict[int, int] = {}  # id(mention) → person index
        key_owner: dict[tuple, int] = {}
        people: list[list[GuardianRow]] = []
        for mention in mentions:
            owners = {key_owner[k] for k in mention.identity_keys() if k in key_owner}
            if owners:
                index = min(owners)
                for other in owners - {index}:  # merge people joined by this mention
                    for moved in people[other]:
                        person_of[id(moved)] = index
                    people[index].extend(people[other])
                    people[other] = []
                    for key, owner in key_owner.items():
                        if owner == other:
                            key_owner[key] = index
            else:
                index = len(people)
                people.append([])
            people[index].append(mention)
            person_of[id(mention)] = index
            for key in mention.identity_keys():
                key_owner[key] = index

        existing = list(Guardian.objects.filter(school=school))
        by_email: dict[tuple, Guardian] = {}
        by_phone: dict[tuple, Guardian] = {}
        for guardian in existing:
            name = (guardian.first_name.casefold(), guardian.last_name.casefold())
            if guardian.email:
                by_email.setdefault((*name, guardian.email.casefold()), guardian)
            if guardian.phone:
                phone = normalize_phone(guardian.phone) or guardian.phone
                by_phone.setdefault((*name, phone), guardian)
        student_of_line = students
        links = {
            (g.guardian_id, g.student_id): g
            for g in Guardianship.objects.filter(
                student_id__in=[s.pk for s in students.values()]
            ).select_related("guardian")
        }
        linked_by_name: dict[tuple, Guardian] = {}
        for (_gid, student_id), link in links.items():
            name = (link.guardian.first_name.casefold(), link.guardian.last_name.casefold())
            linked_by_name.setdefault((student_id, *name), link.guardian)

        result: dict[int, list[Guardian]] = {}
        for group in people:
            if not group:
                continue
            first = group[0]
            guardian = None
            for mention in group:
                guardian = (
                    (mention.email and by_email.get((*mention.name_key, mention.email)))
                    or (mention.phone and by_phone.get((*mention.name_key, mention.phone)))
                    or linked_by_name.get((student_of_line[mention.line].pk, *mention.name_key))
                )
                if guardian:
                    break
            email = next((m.email for m in group if m.email), "")
            phone = next((m.phone for m in group if m.phone), "")
            student_id = student_of_line[first.line].pk
            if guardian is None:
                guardian = Guardian.objects.create(
                    school=school,
                    first_name=first.first_name,
                    last_name=first.last_name,
                    email=email,
                    phone=phone,
                )
                self._created("guardians", guardian, student_id=student_id)
            else:
                values = {}
                if email:
                    values["email"] = email
                if phone and (normalize_phone(guardian.phone) or guardian.phone) != phone:
                    values["phone"] = phone
                self._update("guardians", guardian, values, student_id=student_id)
            for mention in group:
                result.setdefault(mention.line, []).append(guardian)
                student = student_of_line[mention.line]
                link = links.get((guardian.pk, student.pk))
                if link is None:
                    link = Guardianship.objects.create(
                        guardian=guardian, student=student, relation=mention.relation
                    )
                    links[(guardian.pk, student.pk)] = link
                    self._created("guardianships", link, school_id=school.pk, student_id=student.pk)
                else:
                    # Court limits and access are never touched by an import.
                    self._update(
                        "guardianships",
                        link,
                        {"relation": mention.relation},
                        school_id=school.pk,
                        student_id=student.pk,
                    )
        return result

    def _families(self, students: dict[int, Student], guardians: dict[int, list[Guardian]]) -> None:
        """Students who share a guardian are one family (siblings across classes)."""
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def find(node):
            parent.setdefault(node, node)
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for line, student in students.items():
            find(("s", student.pk))
            for guardian in guardians.get(line, []):
                parent[find(("g", guardian.pk))] = find(("s", student.pk))
        members: dict[tuple, list] = {}
        objects = {("s", s.pk): s for s in students.values()}
        objects.update({("g", g.pk): g for gs in guardians.values() for g in gs})
        for node in objects:
            members.setdefault(find(node), []).append(objects[node])

        for group in members.values():
            group_students = sorted(
                (m for m in group if isinstance(m, Student)), key=lambda m: m.pk
            )
            group_guardians = sorted(
                (m for m in group if isinstance(m, Guardian)), key=lambda m: m.pk
            )
            family_id = next(
                (m.family_id for m in [*group_students, *group_guardians] if m.family_id), None
            )
            if family_id is None:
                names = sorted({s.last_name for s in group_students})
                family = Family.objects.create(
                    school=self.plan.school, name=" / ".join(names)[:100]
                )
                self._created("families", family)
                family_id = family.pk
            else:
                self.result.counts["families"].unchanged += 1
            for member in [*group_students, *group_guardians]:
                if member.family_id is None:
                    links = {"student_id": member.pk} if isinstance(member, Student) else {}
                    before = audit.snapshot(member, fields=["family"])
                    member.family_id = family_id
                    member.save(update_fields=["family"])
                    audit.record_update(actor=self.actor, instance=member, before=before, **links)


# --- the service ------------------------------------------------------------------


def students_import(
    *,
    actor,
    school: School,
    data: bytes,
    dry_run: bool = False,
    school_year: SchoolYear | None = None,
    today: datetime.date | None = None,
) -> ImportResult:
    """Import classes, students and guardians from CSV ``data`` into ``school``.

    All or nothing: returns a result with ``file_errors``/``row_errors`` and writes
    nothing when any row is bad. With ``dry_run`` the import runs and is rolled back, so
    the counts show exactly what a real import would do.
    """
    today = today or timezone.localdate()
    result = ImportResult(dry_run=dry_run)
    rows = parse(data, result)
    if not result.ok:
        return result
    year = school_year or current_school_year(school.pk, today)
    if year is None:
        result.file_errors.append(
            _("The school has no school year for today; add it in the administration first.")
        )
        return result
    try:
        _import_checked(actor, school, year, rows, result, today, dry_run)
    except (IntegrityError, DataError) as exc:
        # The checks above should make this impossible; if the database still refuses,
        # the transaction is rolled back and the secretary is told, nothing half-done.
        result.file_errors.append(
            _("The database refused the import, nothing was imported: %(error)s") % {"error": exc}
        )
        result.counts = {k: Counts() for k in KINDS}
    return result


def _import_checked(actor, school, year, rows, result, today, dry_run) -> None:
    with transaction.atomic():
        # Lock the school row: two imports into one school at once would race on matching.
        School.objects.select_for_update().filter(pk=school.pk).first()
        plan = _match(school, year, rows, result)
        if not result.ok:
            result.row_errors.sort(key=lambda e: e.line)
            return
        _Writer(plan, actor, result, today).run()
        if dry_run:
            transaction.set_rollback(True)


def template_csv() -> str:
    """The downloadable template: the header and two example rows, ``;``-separated."""
    return csvimport.template_csv(list(COLUMNS), TEMPLATE_ROWS)
