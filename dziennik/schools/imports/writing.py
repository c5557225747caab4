"""Writing a checked file into the register, through the school services (so every change
is validated and in the history with the actor), counting what was created, updated and
left unchanged."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models

from .. import services
from ..models import Enrolment, Guardian, Guardianship, School, SchoolClass, Student
from .parsing import normalize_phone
from .result import ImportResult
from .rows import GuardianRow, StudentRow
from .validation import Plan

if TYPE_CHECKING:
    from dziennik.accounts.models import User


class Writer:
    """Applies a checked plan, in the order that keeps every constraint true on the way:
    classes, the students' data, their classes (leaving ones first, then new journal
    numbers, then joining ones), their guardians, their families."""

    def __init__(self, plan: Plan, actor: User | None, result: ImportResult, today: datetime.date):
        self.plan = plan
        self.actor = actor
        self.result = result
        self.today = today
        self.start_date = max(today, plan.year.start_date)

    def run(self) -> None:
        classes = self._classes()
        students = self._update_students()
        self._enrol(students, classes)
        guardians = self._guardians(students)
        self._families(students, guardians)

    # --- counting -------------------------------------------------------------------
    def _created(self, kind: str) -> None:
        self.result.counts[kind].created += 1

    def _update(
        self,
        kind: str,
        instance: models.Model,
        new_values: dict[str, Any],
        service: Callable[..., Any],
    ) -> bool:
        """Call ``service`` with the values that differ; count as updated or unchanged."""
        changed = {k: v for k, v in new_values.items() if getattr(instance, k) != v}
        if not changed:
            self.result.counts[kind].unchanged += 1
            return False
        service(**changed)
        self.result.counts[kind].updated += 1
        return True

    # --- the steps ------------------------------------------------------------------
    def _classes(self) -> dict[str, SchoolClass]:
        plan = self.plan
        classes = dict(plan.classes)
        levels: dict[str, tuple[str, int]] = {}
        for row in plan.rows:
            levels.setdefault(row.class_key, (row.class_name, row.level))
        for key, (name, level) in levels.items():
            school_class = classes.get(key)
            if school_class is None:
                classes[key] = services.school_class_create(
                    actor=self.actor, school_year=plan.year, name=name, level=level
                )
                self._created("classes")
            else:
                self._update(
                    "classes",
                    school_class,
                    {"level": level},
                    lambda school_class=school_class, **changes: services.school_class_update(
                        actor=self.actor, school_class=school_class, **changes
                    ),
                )
        return classes

    @staticmethod
    def _student_values(row: StudentRow) -> dict[str, Any]:
        """The row's data; empty cells never erase what the school already has."""
        values: dict[str, Any] = {
            "first_name": row.first_name,
            "last_name": row.last_name,
            "birth_date": row.birth_date,
        }
        for name, value in (
            ("second_name", row.second_name),
            ("birth_place", row.birth_place),
            ("pesel", row.pesel),
            ("address", row.address),
            ("external_id", row.external_id),
        ):
            if value:
                values[name] = value
        return values

    def _update_students(self) -> dict[int, Student]:
        """The data of the students the register has already; line → student."""
        students: dict[int, Student] = {}
        for row in self.plan.rows:
            student = self.plan.students.get(row.line)
            if student is None:
                continue
            self._update(
                "students",
                student,
                self._student_values(row),
                lambda student=student, **changes: services.student_update(
                    actor=self.actor, student=student, **changes
                ),
            )
            students[row.line] = student
        return students

    def _enrol(self, students: dict[int, Student], classes: dict[str, SchoolClass]) -> None:
        """Put every row's student in its class with its journal number. New students are
        admitted (and added to ``students``); students now in another class leave theirs
        first; new numbers inside a class are given at once (they may be swapped)."""
        current = {
            e.student_id: e
            for e in Enrolment.objects.filter(
                student_id__in=[s.pk for s in students.values()], end_date__isnull=True
            ).select_related("student", "school_class")
        }
        renumber: list[tuple[Enrolment, int]] = []
        joining: list[StudentRow] = []
        for row in self.plan.rows:
            student = students.get(row.line)
            enrolment = current.get(student.pk) if student is not None else None
            if enrolment is not None and enrolment.school_class_id == classes[row.class_key].pk:
                if enrolment.journal_number == row.journal_number:
                    self.result.counts["enrolments"].unchanged += 1
                else:
                    renumber.append((enrolment, row.journal_number))
                continue
            if enrolment is not None:
                # A student now in another class: the old enrolment ends, records stay.
                services.student_leave(actor=self.actor, student=student, on=self.today)
                self.result.counts["enrolments"].updated += 1
            joining.append(row)
        if renumber:
            services.enrolment_renumber(actor=self.actor, numbers=renumber)
            self.result.counts["enrolments"].updated += len(renumber)
        for row in joining:
            self._join(row, students, classes[row.class_key])

    def _join(self, row: StudentRow, students: dict[int, Student], target: SchoolClass) -> None:
        student = students.get(row.line)
        if student is None:
            students[row.line] = services.student_admit(
                actor=self.actor,
                school_class=target,
                journal_number=row.journal_number,
                start_date=self.start_date,
                **self._student_values(row),
            )
            self._created("students")
        else:
            services.student_enrol(
                actor=self.actor,
                student=student,
                school_class=target,
                journal_number=row.journal_number,
                start_date=self.start_date,
            )
        self._created("enrolments")

    def _guardians(self, students: dict[int, Student]) -> dict[int, list[Guardian]]:
        """Create or match each guardian once, link them; returns line → guardians."""
        matcher = _GuardianMatcher(self.plan.school, students)
        result: dict[int, list[Guardian]] = {}
        for group in _people([g for row in self.plan.rows for g in row.guardians]):
            guardian = self._guardian(group, matcher.find(group), students[group[0].line])
            for mention in group:
                result.setdefault(mention.line, []).append(guardian)
                self._link(matcher, guardian, students[mention.line], mention.relation)
        return result

    def _guardian(
        self, group: list[GuardianRow], guardian: Guardian | None, student: Student
    ) -> Guardian:
        """The person the mentions in ``group`` are: the matched guardian brought up to
        date, or a new one. Their entry is on the history of the first mention's student."""
        first = group[0]
        email = next((m.email for m in group if m.email), "")
        phone = next((m.phone for m in group if m.phone), "")
        if guardian is None:
            self._created("guardians")
            return services.guardian_create(
                actor=self.actor,
                school=self.plan.school,
                first_name=first.first_name,
                last_name=first.last_name,
                email=email,
                phone=phone,
                for_student=student,
            )
        values = {}
        if email:
            values["email"] = email
        if phone and (normalize_phone(guardian.phone) or guardian.phone) != phone:
            values["phone"] = phone
        self._update(
            "guardians",
            guardian,
            values,
            lambda **changes: services.guardian_update(
                actor=self.actor, guardian=guardian, for_student=student, **changes
            ),
        )
        return guardian

    def _link(
        self, matcher: _GuardianMatcher, guardian: Guardian, student: Student, relation: str
    ) -> None:
        link = matcher.links.get((guardian.pk, student.pk))
        if link is None:
            matcher.links[(guardian.pk, student.pk)] = services.guardianship_create(
                actor=self.actor, guardian=guardian, student=student, relation=relation
            )
            self._created("guardianships")
        else:
            # Court limits and access are never touched by an import.
            self._update(
                "guardianships",
                link,
                {"relation": relation},
                lambda **changes: services.guardianship_update(
                    actor=self.actor, guardianship=link, **changes
                ),
            )

    def _families(self, students: dict[int, Student], guardians: dict[int, list[Guardian]]) -> None:
        """Students who share a guardian are one family (siblings across classes)."""
        for members in _families_of(students, guardians):
            family = next((m.family for m in members if m.family_id), None)
            if family is None:
                names = sorted({m.last_name for m in members if isinstance(m, Student)})
                family = services.family_create(
                    actor=self.actor, school=self.plan.school, name=" / ".join(names)[:100]
                )
                self._created("families")
            else:
                self.result.counts["families"].unchanged += 1
            for member in members:
                if member.family_id is not None:
                    continue
                if isinstance(member, Student):
                    services.student_update(actor=self.actor, student=member, family=family)
                else:
                    services.guardian_update(actor=self.actor, guardian=member, family=family)


class _GuardianMatcher:
    """Finds the register's guardian a group of mentions is: by name together with their
    e-mail or phone, or by name among the guardians already linked to the student."""

    def __init__(self, school: School, students: dict[int, Student]):
        self.students = students
        self.by_email: dict[tuple, Guardian] = {}
        self.by_phone: dict[tuple, Guardian] = {}
        for guardian in Guardian.objects.filter(school=school):
            name = (guardian.first_name.casefold(), guardian.last_name.casefold())
            if guardian.email:
                self.by_email.setdefault((*name, guardian.email.casefold()), guardian)
            if guardian.phone:
                phone = normalize_phone(guardian.phone) or guardian.phone
                self.by_phone.setdefault((*name, phone), guardian)
        self.links: dict[tuple[int, int], Guardianship] = {
            (g.guardian_id, g.student_id): g
            for g in Guardianship.objects.filter(
                student_id__in=[s.pk for s in students.values()]
            ).select_related("guardian", "student")
        }
        self.linked_by_name: dict[tuple, Guardian] = {}
        for (_gid, student_id), link in self.links.items():
            name = (link.guardian.first_name.casefold(), link.guardian.last_name.casefold())
            self.linked_by_name.setdefault((student_id, *name), link.guardian)

    def find(self, group: list[GuardianRow]) -> Guardian | None:
        for mention in group:
            guardian = (
                (mention.email and self.by_email.get((*mention.name_key, mention.email)))
                or (mention.phone and self.by_phone.get((*mention.name_key, mention.phone)))
                or self.linked_by_name.get((self.students[mention.line].pk, *mention.name_key))
            )
            if guardian:
                return guardian
        return None


def _people(mentions: list[GuardianRow]) -> list[list[GuardianRow]]:
    """The guardians' mentions grouped by person: one person mentioned in several rows
    (siblings) has the same name and the same e-mail, phone or home address."""
    key_owner: dict[tuple, int] = {}
    people: list[list[GuardianRow]] = []
    for mention in mentions:
        owners = {key_owner[k] for k in mention.identity_keys() if k in key_owner}
        if owners:
            index = min(owners)
            for other in owners - {index}:  # merge people joined by this mention
                people[index].extend(people[other])
                people[other] = []
                for key, owner in key_owner.items():
                    if owner == other:
                        key_owner[key] = index
        else:
            index = len(people)
            people.append([])
        people[index].append(mention)
        for key in mention.identity_keys():
            key_owner[key] = index
    return [group for group in people if group]


def _families_of(
    students: dict[int, Student], guardians: dict[int, list[Guardian]]
) -> list[list[Student | Guardian]]:
    """The file's students and guardians grouped into families: whoever shares a guardian
    is one family. Each group lists its students, then its guardians, each by id."""
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
    objects: dict[tuple[str, int], Student | Guardian] = {("s", s.pk): s for s in students.values()}
    objects.update({("g", g.pk): g for gs in guardians.values() for g in gs})
    members: dict[tuple, list] = {}
    for node in objects:
        members.setdefault(find(node), []).append(objects[node])
    return [
        sorted((m for m in group if isinstance(m, Student)), key=lambda m: m.pk)
        + sorted((m for m in group if isinstance(m, Guardian)), key=lambda m: m.pk)
        for group in members.values()
    ]
