"""The school as an import sees it: its classes, groups, subjects, teachers, rooms and
lesson numbers, read once, with the lookups a row of the file needs."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.schools.models import (
    ClassGroup,
    LessonSlot,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
)

from ..models import Room
from ..selectors import TEACHING_ROLES
from .parsing import PlanRow, squash_spaces


class Directory:
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
            last_first = squash_spaces(f"{teacher.last_name} {teacher.first_name}").casefold()
            first_last = squash_spaces(f"{teacher.first_name} {teacher.last_name}").casefold()
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
