"""Builds the demo school(s) for ``manage.py demo``.

Everything is written with ``bulk_create`` and every random choice comes from a
``random.Random`` seeded from ``--seed`` and the school's number, so the same seed gives
the same school. Demo generation is not a person's change, so it writes no history
entries (see the README); the other apps' ``populate(ctx)`` get a ``DemoContext``.
"""

from __future__ import annotations

import datetime
import importlib
import math
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dziennik.accounts.models import User
from dziennik.core import cache
from dziennik.core.text import polish_sort_key
from dziennik.demo.context import DemoContext
from dziennik.schools import demo_data as data
from dziennik.schools.calendar import default_bell_schedule, lesson_days, plan_school_year
from dziennik.schools.models import (
    ClassGroup,
    DayOff,
    Enrolment,
    Family,
    Guardian,
    Guardianship,
    LessonSlot,
    School,
    SchoolClass,
    SchoolRole,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    Voivodeship,
)

DEMO_PASSWORD = "dziennik-demo"
FIXED_USERNAMES = ("dyrektor", "sekretariat", "wychowawca", "nauczyciel", "rodzic", "uczen")
CLASS_LETTERS = "abcdefghijklmnopqrstuvwxyz"
FIRST_SCHOOL_NUMBER = 12


@dataclass
class DemoOptions:
    seed: int = 2026
    schools: int = 1
    students_per_class: int = 25
    classes_per_level: int = 1
    today: datetime.date | None = None


def school_year_start(day: datetime.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def ascii_name(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def family_name(masculine: str) -> str:
    """The plural family name: Kowalski → Kowalscy, Nowak → Nowakowie, Duda → Dudowie."""
    for ending, plural in (("dzki", "dzcy"), ("cki", "ccy"), ("ski", "scy")):
        if masculine.endswith(ending):
            return masculine[: -len(ending)] + plural
    if masculine.endswith("a"):
        return masculine[:-1] + "owie"
    return masculine + "owie"


@dataclass
class _Family:
    """A family while it is being built (saved later in bulk)."""

    row: Family
    surname: tuple[str, str]
    kind: str  # "two_parents", "single_mother", "single_father", "separated", "court", "guardian"
    address: str
    children: list[Student] = field(default_factory=list)
    levels: set[int] = field(default_factory=set)


class SchoolBuilder:
    def __init__(self, options: DemoOptions, index: int, progress: Callable[[str], None]):
        self.options = options
        self.index = index
        self.number = FIRST_SCHOOL_NUMBER + index
        self.rng = random.Random(f"{options.seed}:{index}")
        self.progress = progress
        self.today = options.today or timezone.localdate()
        self.first = index == 0
        self.prefix = f"sp{self.number}"
        self.fixed_users: dict[str, User] = {}

    # ----------------------------------------------------------------- helpers
    def _person(self, sex: str) -> tuple[str, tuple[str, str]]:
        # Adults: the names after the most popular children's names of the lists.
        first = self.rng.choice(
            data.FEMALE_FIRST_NAMES[10:] if sex == "F" else data.MALE_FIRST_NAMES[12:]
        )
        return first, self.rng.choice(data.LAST_NAMES)

    def _address(self) -> str:
        street = self.rng.choice(data.STREETS)
        house, flat, postcode = (self.rng.randint(*r) for r in ((1, 180), (1, 60), (100, 999)))
        return f"{street} {house}/{flat}, 02-{postcode} Warszawa"

    def _phone(self) -> str:
        r = self.rng
        return (
            f"+48 {r.choice('567')}{r.randint(10, 99)} {r.randint(100, 999)} {r.randint(100, 999)}"
        )

    def _email(self, first: str, last: str) -> str:
        return f"{ascii_name(first)}.{ascii_name(last)}{self.rng.randint(1, 999)}@example.com"

    def _pesel(self, birth: datetime.date, sex: str) -> str:
        month = birth.month + (20 if birth.year >= 2000 else 0)
        serial = self.rng.randint(0, 999)
        sex_digit = self.rng.choice("02468" if sex == "F" else "13579")
        digits = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial:03d}{sex_digit}"
        weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
        check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
        return digits + str(check)

    # ------------------------------------------------------------------ build
    def build(self) -> DemoContext:
        with transaction.atomic():
            self._school_and_calendar()
            self._subjects_and_classes()
            self._students_and_families()
            self._groups()
            self._teachers_and_assignments()
            self._guardians()
            # written in bulk, without signals: the school's cached configuration moves here
            cache.bump(cache.config_scope(self.school.pk))
        ctx = DemoContext(
            school=self.school,
            year=self.year,
            terms=self.terms,
            classes=self.classes,
            students_by_class=self.students_by_class,
            subjects=list(self.subjects.values()),
            teachers=self.teachers,
            assignments=self.assignments,
            lesson_slots=self.lesson_slots,
            school_days=lesson_days(self.year, until=self.today),
            today=self.today,
            rng=random.Random(f"{self.options.seed}:{self.index}:apps"),
            progress=self.progress,
            fixed_users=self.fixed_users,
        )
        return ctx

    def _school_and_calendar(self) -> None:
        rng = self.rng
        patron = data.SCHOOL_PATRONS[self.index % len(data.SCHOOL_PATRONS)]
        voivodeship = (
            Voivodeship.MAZOWIECKIE if self.first else rng.choice(list(Voivodeship.values))
        )
        self.school = School.objects.create(
            name=f"Szkoła Podstawowa nr {self.number} im. {patron}",
            short_name=f"SP {self.number}",
            school_type=School.Type.PRIMARY,
            is_public=True,
            voivodeship=voivodeship,
            city="Warszawa",
            address=f"{rng.choice(data.STREETS)} {rng.randint(1, 60)}, 02-{rng.randint(100, 999)} "
            "Warszawa",
            rspo=str(100000 + rng.randint(0, 899999)),
        )
        self.progress(f"{self.school.name}: calendar and bell schedule")
        plan = plan_school_year(self.school, school_year_start(self.today))
        plan.year.save()
        self.year = plan.year
        for row in (*plan.terms, *plan.days_off):
            row.school_year = self.year
        self.terms = Term.objects.bulk_create(plan.terms)
        DayOff.objects.bulk_create(plan.days_off)
        self.lesson_slots = LessonSlot.objects.bulk_create(default_bell_schedule(self.school))

    def _subjects_and_classes(self) -> None:
        self.subjects = {
            info.name: subject
            for info, subject in zip(
                data.SUBJECTS,
                Subject.objects.bulk_create(
                    Subject(
                        school=self.school,
                        name=info.name,
                        short_name=info.short_name,
                        counts_towards_average=info.counts_towards_average,
                    )
                    for info in data.SUBJECTS
                ),
                strict=True,
            )
        }
        self.classes = SchoolClass.objects.bulk_create(
            SchoolClass(
                school=self.school,
                school_year=self.year,
                name=f"{level}{CLASS_LETTERS[k]}",
                level=level,
            )
            for level in range(1, 9)
            for k in range(self.options.classes_per_level)
        )

    def _new_family(self, kind: str, surname: tuple[str, str] | None = None) -> _Family:
        surname = surname or self.rng.choice(data.LAST_NAMES)
        row = Family(school=self.school, name=family_name(surname[0]))
        family = _Family(row=row, surname=surname, kind=kind, address=self._address())
        self.families.append(family)
        return family

    def _family_kind(self) -> str:
        roll = self.rng.random()
        if roll < 0.74:
            return "two_parents"
        if roll < 0.84:
            return "single_mother"
        if roll < 0.87:
            return "single_father"
        if roll < 0.96:
            return "separated"
        return "guardian"

    def _students_and_families(self) -> None:
        self.families: list[_Family] = []
        self.student_sex: dict[int, str] = {}
        per_class: dict[int, list[tuple[Student, str, _Family]]] = {}
        self.fixed_family: _Family | None = None
        self.fixed_child: Student | None = None
        self.court_family: _Family | None = None
        first_of_level = {
            level: next(c for c in self.classes if c.level == level) for level in range(1, 9)
        }
        m = self.options.students_per_class
        for school_class in self.classes:
            rows = []
            for i in range(m):
                sex = self.rng.choice("FM")
                family = self._family_for(school_class, i, first_of_level)
                student = self._new_student(school_class, sex, family)
                family.children.append(student)
                family.levels.add(school_class.level)
                rows.append((student, sex, family))
                if family is self.fixed_family and school_class.level == 5:
                    self.fixed_child = student
            per_class[school_class.pk] = rows
        self.progress(
            f"{self.school.name}: {len(self.classes)} classes, "
            f"{len(self.classes) * m} students, {len(self.families)} families"
        )
        Family.objects.bulk_create([f.row for f in self.families], batch_size=500)
        for f in self.families:
            for child in f.children:
                child.family = f.row
        self._save_students(per_class)

    def _family_for(self, school_class, i: int, first_of_level) -> _Family:
        """The family of the class's ``i``-th new student: the fixed parent's (a child in
        2a and one in 5a), the court-limited one, a sibling's (14%), or a new one."""
        m = self.options.students_per_class
        if school_class is first_of_level[2] and i == 0:
            self.fixed_family = self._new_family("two_parents")
            return self.fixed_family
        if school_class is first_of_level[5] and i == 0 and self.fixed_family:
            return self.fixed_family
        if school_class is first_of_level[3] and i == min(1, m - 1):
            self.court_family = self._new_family("court")
            return self.court_family
        if self.rng.random() < 0.14:
            candidates = [
                f
                for f in self.families
                if len(f.children) == 1
                and school_class.level not in f.levels
                and f.kind != "court"
                and f is not self.fixed_family
            ]
            if candidates:
                return self.rng.choice(candidates[-40:])
        return self._new_family(self._family_kind())

    def _new_student(self, school_class, sex: str, family: _Family) -> Student:
        rng = self.rng
        siblings = {child.first_name for child in family.children}
        names = data.FEMALE_FIRST_NAMES[:26] if sex == "F" else data.MALE_FIRST_NAMES[:22]
        first = rng.choice([name for name in names if name not in siblings])
        second = ""
        if rng.random() < 0.4:
            second = rng.choice(data.FEMALE_FIRST_NAMES if sex == "F" else data.MALE_FIRST_NAMES)
        start_year = self.year.start_date.year
        birth_year = start_year - 6 - school_class.level - (1 if rng.random() < 0.03 else 0)
        birth = datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        return Student(
            school=self.school,
            first_name=first,
            second_name=second if second != first else "",
            last_name=family.surname[1 if sex == "F" else 0],
            birth_date=birth,
            birth_place=rng.choice(data.BIRTH_PLACES),
            pesel=self._pesel(birth, sex),
            address=family.address,
        )

    def _save_students(self, per_class: dict[int, list[tuple[Student, str, _Family]]]) -> None:
        """Students in journal order (Polish alphabetical), with their enrolments."""
        ordered: dict[int, list[tuple[Student, str]]] = {}
        for class_id, rows in per_class.items():
            rows.sort(
                key=lambda r: (
                    polish_sort_key(r[0].last_name),
                    polish_sort_key(r[0].first_name),
                )
            )
            ordered[class_id] = [(s, sex) for s, sex, _ in rows]
        if self.first and self.fixed_child is not None:
            self.fixed_child.user = self._fixed_user(
                "uczen", self.fixed_child.first_name, self.fixed_child.last_name
            )
        all_students = [s for rows in ordered.values() for s, _ in rows]
        Student.objects.bulk_create(all_students, batch_size=500)
        self.students_by_class = {cid: [s for s, _ in rows] for cid, rows in ordered.items()}
        for rows in ordered.values():
            for s, sex in rows:
                self.student_sex[s.pk] = sex
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    student=s,
                    school_class_id=cid,
                    journal_number=n,
                    start_date=self.year.start_date,
                )
                for cid, students in self.students_by_class.items()
                for n, s in enumerate(students, start=1)
            ],
            batch_size=500,
        )

    def _fixed_user(self, username: str, first: str, last: str, **extra) -> User:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            school=self.school,
            password=make_password(DEMO_PASSWORD),
            must_change_password=False,
            # Ready to use: no forced password change and no activation on first login.
            activated_at=timezone.now(),
            **extra,
        )
        user.save()
        self.fixed_users[username] = user
        return user

    def _groups(self) -> None:
        groups: list[ClassGroup] = []
        members: list[tuple[ClassGroup, list[Student]]] = []
        self.groups: dict[tuple[int, str], ClassGroup] = {}
        for school_class in self.classes:
            students = self.students_by_class[school_class.pk]
            ethics_count = max(1, round(len(students) * 0.1))
            ethics = self.rng.sample(students, min(ethics_count, len(students)))
            split: dict[str, list[Student]] = {
                data.RELIGION_GROUP: [s for s in students if s not in ethics],
                data.ETHICS_GROUP: ethics,
            }
            if school_class.level >= 4:
                half = (len(students) + 1) // 2
                split[data.ENGLISH_GROUPS[0]] = students[:half]
                split[data.ENGLISH_GROUPS[1]] = students[half:]
            if school_class.level >= 7:
                split[data.PE_GROUPS[0]] = [s for s in students if self.student_sex[s.pk] == "F"]
                split[data.PE_GROUPS[1]] = [s for s in students if self.student_sex[s.pk] == "M"]
            for name, group_students in split.items():
                group = ClassGroup(school_class=school_class, name=name)
                groups.append(group)
                members.append((group, group_students))
                self.groups[(school_class.pk, name)] = group
        ClassGroup.objects.bulk_create(groups)
        through = ClassGroup.students.through
        through.objects.bulk_create(
            [
                through(classgroup_id=group.pk, student_id=student.pk)
                for group, group_students in members
                for student in group_students
            ],
            batch_size=1000,
        )

    def _units(self) -> dict[str, list[tuple[SchoolClass, ClassGroup | None, str]]]:
        """Teaching units (a class or a group × a subject) per teacher specialism."""
        by_subject = {s: spec.key for spec in data.SPECIALISMS for s in spec.subjects}
        units: dict[str, list] = {spec.key: [] for spec in data.SPECIALISMS}
        for school_class in self.classes:
            for subject in data.subjects_for_level(school_class.level):
                if subject == data.CLASS_HOUR:
                    continue
                group_names: tuple[str | None, ...] = (None,)
                if subject == data.ENGLISH and school_class.level >= 4:
                    group_names = data.ENGLISH_GROUPS
                elif subject == data.PE and school_class.level >= 7:
                    group_names = data.PE_GROUPS
                elif subject == data.RELIGION:
                    group_names = (data.RELIGION_GROUP,)
                elif subject == data.ETHICS:
                    group_names = (data.ETHICS_GROUP,)
                for name in group_names:
                    group = self.groups[(school_class.pk, name)] if name else None
                    units[by_subject[subject]].append((school_class, group, subject))
        return units

    def _teachers_and_assignments(self) -> None:
        plan = self._teacher_plan()
        users = self._teacher_users(len(plan))
        # The fixed teachers: "nauczyciel" teaches maths in several classes and leads
        # none; "wychowawca" (chosen below) leads the first class 4 and teaches there.
        nauczyciel_index = next(i for i, (key, _) in enumerate(plan) if key == "maths")
        class_teacher_of = self._class_teachers(plan, nauczyciel_index)
        if self.first:
            first_4 = next(c for c in self.classes if c.level == 4)
            wychowawca_index = class_teacher_of[first_4.pk]
            for username, index in (
                ("wychowawca", wychowawca_index),
                ("nauczyciel", nauczyciel_index),
            ):
                users[index].username = username
                users[index].password = make_password(DEMO_PASSWORD)
                users[index].activated_at = timezone.now()
            principal = self._fixed_user("dyrektor", *self._staff_name("F"), is_staff=True)
            # The secretary sets the school up in the Django admin.
            secretary = self._fixed_user("sekretariat", *self._staff_name("F"), is_staff=True)
        else:
            principal = self._staff_user(f"{self.prefix}-dyrektor", "F")
            secretary = self._staff_user(f"{self.prefix}-sekretariat", "F")
        self.teachers = User.objects.bulk_create(users)
        if self.first:
            self.fixed_users["wychowawca"] = self.teachers[wychowawca_index]
            self.fixed_users["nauczyciel"] = self.teachers[nauczyciel_index]
        self.progress(f"{self.school.name}: {len(self.teachers)} teachers")
        SchoolRole.objects.bulk_create(
            [
                SchoolRole(school=self.school, user=t, role=SchoolRole.Role.TEACHER)
                for t in self.teachers
            ]
            + [
                SchoolRole(school=self.school, user=principal, role=SchoolRole.Role.PRINCIPAL),
                SchoolRole(school=self.school, user=secretary, role=SchoolRole.Role.SECRETARY),
            ]
        )
        for school_class in self.classes:
            school_class.class_teacher = self.teachers[class_teacher_of[school_class.pk]]
        SchoolClass.objects.bulk_update(self.classes, ["class_teacher"])
        assignments = [
            TeachingAssignment(
                school=self.school,
                teacher=self.teachers[i],
                subject=self.subjects[subject],
                school_class=school_class,
                group=group,
            )
            for i, (_key, teacher_units) in enumerate(plan)
            for school_class, group, subject in teacher_units
        ]
        assignments += [
            TeachingAssignment(
                school=self.school,
                teacher=school_class.class_teacher,
                subject=self.subjects[data.CLASS_HOUR],
                school_class=school_class,
            )
            for school_class in self.classes
            if school_class.level >= 4
        ]
        self.assignments = TeachingAssignment.objects.bulk_create(assignments, batch_size=500)

    def _teacher_plan(self) -> list[tuple[str, list]]:
        """(specialism key, units) per teacher: each specialism's units shared out evenly."""
        units = self._units()
        plan: list[tuple[str, list]] = []
        for spec in data.SPECIALISMS:
            spec_units = units[spec.key]
            if not spec_units:
                continue
            count = math.ceil(len(spec_units) / spec.units_per_teacher)
            size = math.ceil(len(spec_units) / count)
            for i in range(count):
                plan.append((spec.key, spec_units[i * size : (i + 1) * size]))
        return plan

    def _teacher_users(self, count: int) -> list[User]:
        """Unsaved accounts of ``count`` teachers with distinct names (80% women)."""
        used_names: set[tuple[str, str]] = set()
        users: list[User] = []
        for n in range(1, count + 1):
            sex = "F" if self.rng.random() < 0.8 else "M"
            first, surname = self._person(sex)
            while (first, surname[0]) in used_names:
                first, surname = self._person(sex)
            used_names.add((first, surname[0]))
            users.append(
                User(
                    username=f"{self.prefix}-n{n:03d}",
                    first_name=first,
                    last_name=surname[1 if sex == "F" else 0],
                    school=self.school,
                    password=make_password(None),
                )
            )
        return users

    def _class_teachers(self, plan, nauczyciel_index: int) -> dict[int, int]:
        """Class id -> index of its class teacher in ``plan``: an early-education teacher
        for classes 1-3, a teacher of the class by preferred subject from class 4 on."""
        class_teacher_of: dict[int, int] = {}
        leading: set[int] = set()
        for school_class in self.classes:
            teaching = [
                i
                for i, (key, teacher_units) in enumerate(plan)
                if any(u[0] is school_class for u in teacher_units)
            ]
            if school_class.level <= 3:
                candidates = [i for i in teaching if plan[i][0] == "early"]
            else:
                rank = {key: r for r, key in enumerate(data.CLASS_TEACHER_PREFERENCE)}
                candidates = sorted(
                    (i for i in teaching if plan[i][0] in rank and i != nauczyciel_index),
                    key=lambda i: rank[plan[i][0]],
                )
                candidates += [
                    i
                    for i in range(len(plan))
                    if plan[i][0] != "early" and i != nauczyciel_index and i not in candidates
                ]
            chosen = next(i for i in candidates if i not in leading)
            leading.add(chosen)
            class_teacher_of[school_class.pk] = chosen
        return class_teacher_of

    def _staff_name(self, sex: str) -> tuple[str, str]:
        first, surname = self._person(sex)
        return first, surname[1 if sex == "F" else 0]

    def _staff_user(self, username: str, sex: str) -> User:
        first, last = self._staff_name(sex)
        return User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            school=self.school,
            password=make_password(None),
        )

    def _family_accounts(self, links) -> None:
        """By December most parents use the register: four in five guardians with full
        access have an account (activated; its password unusable, since the demo logs
        in only as the fixed users), so the excuses in the register come from parents."""
        now = timezone.now()
        users, owners = [], []
        for n, (guardian, _family, _relation, access) in enumerate(links, start=1):
            if guardian.user_id is not None or access != "full" or self.rng.random() >= 0.8:
                continue
            users.append(
                User(
                    username=f"{self.prefix}-r{n:04d}",
                    first_name=guardian.first_name,
                    last_name=guardian.last_name,
                    email=guardian.email,
                    school=self.school,
                    password=make_password(None),
                    activated_at=now,
                )
            )
            owners.append(guardian)
        User.objects.bulk_create(users, batch_size=500)
        for guardian, user in zip(owners, users, strict=True):
            guardian.user = user

    def _guardians(self) -> None:
        rng = self.rng
        guardians: list[Guardian] = []
        links: list[tuple[Guardian, _Family, str, str]] = []  # guardian, family, relation, access

        def add(
            family: _Family, sex: str, relation: str, *, surname=None, address=None, access="full"
        ):
            first = rng.choice(
                data.FEMALE_FIRST_NAMES[20:] if sex == "F" else data.MALE_FIRST_NAMES[17:]
            )
            surname = surname or family.surname
            last = surname[1 if sex == "F" else 0]
            guardian = Guardian(
                school=self.school,
                first_name=first,
                last_name=last,
                email=self._email(first, last),
                phone=self._phone(),
                address=address or family.address,
                family=family.row,
            )
            guardians.append(guardian)
            links.append((guardian, family, relation, access))
            return guardian

        mother, father = Guardianship.Relation.MOTHER, Guardianship.Relation.FATHER
        for family in self.families:
            if family.kind == "two_parents":
                mum = add(family, "F", mother)
                add(family, "M", father)
                if family is self.fixed_family and self.first:
                    mum.user = self._fixed_user("rodzic", mum.first_name, mum.last_name)
            elif family.kind == "single_mother":
                add(family, "F", mother)
            elif family.kind == "single_father":
                add(family, "M", father)
            elif family.kind in ("separated", "court"):
                # Separated parents live apart; each keeps full access unless a court
                # order limits it (P-03).
                remarried = rng.choice(data.LAST_NAMES) if rng.random() < 0.5 else None
                add(family, "F", mother, surname=remarried)
                add(
                    family,
                    "M",
                    father,
                    address=self._address(),
                    access="court_limited" if family.kind == "court" else "full",
                )
            else:  # a grandmother as the legal guardian
                add(
                    family,
                    "F",
                    Guardianship.Relation.LEGAL_GUARDIAN,
                    surname=rng.choice(data.LAST_NAMES),
                )
        self._family_accounts(links)
        Guardian.objects.bulk_create(guardians, batch_size=500)
        ships = []
        order_year = f"{(self.year.start_date.year - 1) % 100:02d}"
        for guardian, family, relation, access in links:
            for child in family.children:
                extra = {}
                if access == "court_limited":
                    extra = {
                        "court_order_reference": f"III RC {rng.randint(100, 999)}/{order_year}",
                        "court_order_date": self.year.start_date - datetime.timedelta(days=200),
                        "court_order_scope": "Ograniczenie władzy rodzicielskiej ojca do kontaktów "
                        "z dzieckiem, bez prawa wglądu w dokumentację szkolną.",
                    }
                ships.append(
                    Guardianship(
                        guardian=guardian, student=child, relation=relation, access=access, **extra
                    )
                )
        Guardianship.objects.bulk_create(ships, batch_size=500)
        self.progress(f"{self.school.name}: {len(guardians)} guardians")


def populate_apps(ctx: DemoContext) -> list[str]:
    """Call ``populate(ctx)`` of every ``dziennik.<app>.demo`` that exists, in
    INSTALLED_APPS order. Returns the modules called."""
    called = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dziennik."):
            continue
        module_name = f"{config.name}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        populate = getattr(module, "populate", None)
        if populate is None:
            continue
        ctx.progress(f"{ctx.school.name}: {module_name}")
        with transaction.atomic():
            populate(ctx)
            # bulk-written register data has no history: every cached page of the school
            # moves with its configuration
            cache.bump(cache.config_scope(ctx.school.pk))
        called.append(module_name)
    return called


def reset_apps(school_ids: list[int]) -> None:
    """Call ``reset(school_ids)`` of every ``dziennik.<app>.demo`` that has one, in reverse
    INSTALLED_APPS order, so register data that protects accounts goes first."""
    for config in reversed(list(apps.get_app_configs())):
        if not config.name.startswith("dziennik."):
            continue
        module_name = f"{config.name}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        reset = getattr(module, "reset", None)
        if reset is not None:
            reset(school_ids)


def build_demo(options: DemoOptions, progress: Callable[[str], None]) -> list[DemoContext]:
    contexts = []
    for index in range(options.schools):
        ctx = SchoolBuilder(options, index, progress).build()
        populate_apps(ctx)
        contexts.append(ctx)
    return contexts
