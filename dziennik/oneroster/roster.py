"""The school's year in OneRoster 1.2's rostering model, built with a fixed number of
queries whatever the school's size (the CSV files and the REST API are both views of it).

Mapping (docs/oneroster.md):

* **org** – the school (``type`` ``school``);
* **academicSessions** – the school year (``schoolYear``) and its terms (``term``);
* **courses** – each subject taught this year, and one "homeroom" course of the year;
* **classes** – each class (*oddział*) as a ``homeroom`` class (its class teacher and its
  students), and each subject taught to a class or to a group of it as a ``scheduled``
  class (its teachers, the class's or the group's students);
* **users** – students, their teachers and the principal, and the students' guardians
  (only those with full access, P-03) as ``parent``/``guardian`` agents of the student;
* **enrollments** – a student or a teacher in a class, with the enrolment's dates.

Nothing else about a person leaves the register (data minimisation): no PESEL, date of
birth, address, e-mail or phone; ``userIds`` carries the person's single sign-on
subject on the platform the roster is for, so the platform can match its logins.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.schools.models import (
    ClassGroup,
    Enrolment,
    Guardian,
    Guardianship,
    School,
    SchoolClass,
    SchoolRole,
    SchoolYear,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)
from dziennik.sso import claims, entitlement
from dziennik.sso.models import Platform

from .models import RosterSettings

# The register's models behind the rows: a change to one in the history changes the
# row's dateLastModified; its deletion is a ``tobedeleted`` row in a delta.
TRACKED = (
    School,
    SchoolYear,
    Term,
    Subject,
    SchoolClass,
    TeachingAssignment,
    ClassGroup,
    Enrolment,
    Student,
    Guardian,
    Guardianship,
)
SECONDARY = {
    School.Type.LYCEUM,
    School.Type.TECHNICAL,
    School.Type.VOCATIONAL,
    School.Type.POST_SECONDARY,
}


def sourced_id(namespace: uuid.UUID, kind: str, *key: object) -> str:
    """A row's GUID: a UUID5 of the school's secret namespace, the kind and the key
    (stable across exports, different in every school, revealing no database number)."""
    return str(uuid.uuid5(namespace, ":".join([kind, *(str(part) for part in key)])))


def grade_code(school: School, level: int) -> str:
    """The CEDS grade level of a class level: primary 1–8 are 01–08, a secondary school's
    first year is the ninth (09)."""
    number = level + 8 if school.school_type in SECONDARY else level
    return f"{min(number, 13):02d}"


@dataclass
class Roster:
    """Rows of each OneRoster kind (plain dicts, references as ``(type, sourcedId)``)."""

    school: School
    year: SchoolYear
    orgs: list[dict] = field(default_factory=list)
    academic_sessions: list[dict] = field(default_factory=list)
    courses: list[dict] = field(default_factory=list)
    classes: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    enrollments: list[dict] = field(default_factory=list)
    # sourcedId → (kind, when): rows deleted in the register, for a delta.
    deleted: dict[str, tuple[str, datetime.datetime]] = field(default_factory=dict)
    # The register's ids behind rows the gradebook refers to.
    class_ids: dict[tuple[int, int, int], str] = field(default_factory=dict)
    student_ids: dict[int, str] = field(default_factory=dict)
    term_ids: dict[int, str] = field(default_factory=dict)
    namespace: uuid.UUID = uuid.NAMESPACE_OID


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


class _Changes:
    """When each register object last changed, from the history (one query)."""

    def __init__(self, school: School, fallback: datetime.datetime):
        self.fallback = fallback
        types = ContentType.objects.get_for_models(*TRACKED)
        self.type_ids = {model: ct.pk for model, ct in types.items()}
        self.last: dict[tuple[int, str], datetime.datetime] = {
            (row["content_type_id"], row["object_id"]): row["last"]
            for row in AuditEntry.objects.filter(
                school_id=school.pk, content_type_id__in=self.type_ids.values()
            )
            .values("content_type_id", "object_id")
            .annotate(last=Max("at"))
        }

    def of(self, *objects) -> datetime.datetime:
        times = [
            self.last.get((self.type_ids[type(obj)], str(obj.pk)), self.fallback)
            for obj in objects
            if obj is not None
        ]
        return max(times, default=self.fallback)


@dataclass
class _Data:
    terms: list[Term]
    classes: list[SchoolClass]
    assignments: list[TeachingAssignment]
    enrolments: list[Enrolment]
    group_members: dict[int, set[int]]
    guardianships: list[Guardianship]
    staff_roles: dict[int, set[str]]
    staff: dict[int, object]


def _load(school: School, year: SchoolYear) -> _Data:
    classes = list(SchoolClass.objects.filter(school=school, school_year=year).order_by("name"))
    class_ids = [c.pk for c in classes]
    assignments = list(
        TeachingAssignment.objects.filter(school_class_id__in=class_ids)
        .select_related("subject", "group", "teacher")
        .order_by("school_class_id", "subject__name", "group_id", "teacher_id")
    )
    enrolments = list(
        Enrolment.objects.filter(school_class_id__in=class_ids)
        .select_related("student__user")
        .order_by("school_class_id", "journal_number", "pk")
    )
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, student_id in ClassGroup.students.through.objects.filter(
        classgroup__school_class_id__in=class_ids
    ).values_list("classgroup_id", "student_id"):
        members[group_id].add(student_id)
    student_ids = {e.student_id for e in enrolments}
    guardianships = list(
        Guardianship.objects.filter(
            student_id__in=student_ids, access=Guardianship.Access.FULL
        ).select_related("guardian__user")
    )
    staff_roles: dict[int, set[str]] = defaultdict(set)
    for a in assignments:
        staff_roles[a.teacher_id].add("teacher")
    for c in classes:
        if c.class_teacher_id:
            staff_roles[c.class_teacher_id].add("teacher")
    principal_roles = (SchoolRole.Role.PRINCIPAL, SchoolRole.Role.DEPUTY_PRINCIPAL)
    principals = SchoolRole.objects.filter(school=school, role__in=principal_roles)
    staff = {}
    for role in principals.select_related("user"):
        staff_roles[role.user_id].add("principal")
        staff[role.user_id] = role.user
    staff |= {a.teacher_id: a.teacher for a in assignments}
    missing = set(staff_roles) - set(staff)
    if missing:
        staff |= {u.pk: u for u in get_user_model().objects.filter(pk__in=missing)}
    terms = list(Term.objects.filter(school_year=year).order_by("number"))
    return _Data(
        terms, classes, assignments, enrolments, members, guardianships, staff_roles, staff
    )


def _ref(kind: str, sourced: str) -> tuple[str, str]:
    return (kind, sourced)


class _Builder:
    def __init__(self, school: School, year: SchoolYear, platform: Platform | None, day):
        self.school, self.year, self.platform, self.day = school, year, platform, day
        settings, _ = RosterSettings.objects.get_or_create(school=school)
        self.roster = Roster(school=school, year=year, namespace=settings.namespace)
        self.changes = _Changes(school, _midnight(year.start_date))
        self.data = _load(school, year)
        self.org = self.id("org", school.pk)
        self.users: dict[str, dict] = {}

    def id(self, kind: str, *key) -> str:
        return sourced_id(self.roster.namespace, kind, *key)

    def build(self) -> Roster:
        roster = self.roster
        roster.orgs.append(
            {
                "sourcedId": self.org,
                "dateLastModified": self.changes.of(self.school),
                "name": self.school.name,
                "type": "school",
                "identifier": self.school.rspo,
                "parent": None,
            }
        )
        self.sessions()
        entitled = entitlement.entitled_student_ids(
            self.platform, {e.student_id for e in self.data.enrolments}, self.day
        )
        enrolments = [
            e for e in self.data.enrolments if entitled is None or e.student_id in entitled
        ]
        self.students(enrolments)
        self.staff()
        self.classes(enrolments)
        roster.users = sorted(self.users.values(), key=lambda u: (u["familyName"], u["sourcedId"]))
        self.deleted()
        return roster

    def sessions(self) -> None:
        year = self.year
        year_id = self.id("year", year.pk)
        end = str(year.end_date.year)
        self.roster.academic_sessions.append(
            {
                "sourcedId": year_id,
                "dateLastModified": self.changes.of(year),
                "title": year.name,
                "type": "schoolYear",
                "startDate": year.start_date,
                "endDate": year.end_date,
                "parent": None,
                "schoolYear": end,
            }
        )
        for term in self.data.terms:
            term_id = self.id("term", term.pk)
            self.roster.term_ids[term.pk] = term_id
            self.roster.academic_sessions.append(
                {
                    "sourcedId": term_id,
                    "dateLastModified": self.changes.of(term),
                    "title": f"{year.name} semestr {term.number}",
                    "type": "term",
                    "startDate": term.start_date,
                    "endDate": term.end_date,
                    "parent": _ref("academicSession", year_id),
                    "schoolYear": end,
                }
            )

    def _user(self, sourced: str, *, given, family, middle="", account=None, changed) -> dict:
        user_ids = []
        if account is not None and self.platform is not None:
            user_ids.append(
                {"type": "sso", "identifier": claims.subject(self.platform, account.pk)}
            )
        return self.users.setdefault(
            sourced,
            {
                "sourcedId": sourced,
                "dateLastModified": changed,
                "enabledUser": account is not None and account.is_active,
                "userIds": user_ids,
                "givenName": given,
                "familyName": family,
                "middleName": middle,
                "roles": [],
                "agents": [],
                "grades": [],
                "primaryOrg": _ref("org", self.org),
            },
        )

    def _role(self, user: dict, role: str) -> None:
        if role not in [r["role"] for r in user["roles"]]:
            kind = "secondary" if user["roles"] else "primary"
            user["roles"].append({"roleType": kind, "role": role, "org": _ref("org", self.org)})

    def students(self, enrolments: list[Enrolment]) -> None:
        levels = {c.pk: c.level for c in self.data.classes}
        agents: dict[int, list[str]] = defaultdict(list)
        student_ids = {e.student_id for e in enrolments}
        for link in self.data.guardianships:
            if link.student_id not in student_ids:
                continue
            guardian = link.guardian
            account = guardian.user
            key = ("staff", account.pk) if account else ("guardian", guardian.pk)
            user = self._user(
                self.id(*key),
                given=guardian.first_name,
                family=guardian.last_name,
                account=account,
                changed=self.changes.of(guardian, link),
            )
            parental = link.relation in (Guardianship.Relation.MOTHER, Guardianship.Relation.FATHER)
            self._role(user, "parent" if parental else "guardian")
            agents[link.student_id].append(user["sourcedId"])
        for enrolment in enrolments:
            student = enrolment.student
            sourced = self.id("student", student.pk)
            self.roster.student_ids[student.pk] = sourced
            user = self._user(
                sourced,
                given=student.first_name,
                family=student.last_name,
                middle=student.second_name,
                account=student.user,
                changed=self.changes.of(student),
            )
            self._role(user, "student")
            grade = grade_code(self.school, levels[enrolment.school_class_id])
            if grade not in user["grades"]:
                user["grades"].append(grade)
            user["agents"] = [_ref("user", a) for a in dict.fromkeys(agents[student.pk])]
        for guardian_id in {a for ids in agents.values() for a in ids}:
            # A guardian's agents are their students.
            self.users[guardian_id]["agents"] = [
                _ref("user", self.roster.student_ids[sid])
                for sid, ids in sorted(agents.items())
                if guardian_id in ids
            ]

    def staff(self) -> None:
        for user_id, roles in sorted(self.data.staff_roles.items()):
            account = self.data.staff[user_id]
            user = self._user(
                self.id("staff", user_id),
                given=account.first_name,
                family=account.last_name,
                account=account,
                changed=self.changes.fallback,
            )
            for role in ("teacher", "principal"):
                if role in roles:
                    self._role(user, role)

    def _course(self, key: tuple, title: str, code: str, subject: Subject | None) -> str:
        sourced = self.id("course", self.year.pk, *key)
        if sourced not in {c["sourcedId"] for c in self.roster.courses}:
            self.roster.courses.append(
                {
                    "sourcedId": sourced,
                    "dateLastModified": self.changes.of(subject),
                    "title": title,
                    "schoolYear": _ref("academicSession", self.id("year", self.year.pk)),
                    "courseCode": code,
                    "grades": [],
                    "subjects": [subject.name] if subject else [],
                    "org": _ref("org", self.org),
                }
            )
        return sourced

    def _class(self, sourced, *, title, code, kind, course, school_class, subject, changed):
        terms = [_ref("academicSession", self.roster.term_ids[t.pk]) for t in self.data.terms]
        if not terms:
            terms = [_ref("academicSession", self.id("year", self.year.pk))]
        self.roster.classes.append(
            {
                "sourcedId": sourced,
                "dateLastModified": changed,
                "title": title,
                "classCode": code,
                "classType": kind,
                "location": "",
                "grades": [grade_code(self.school, school_class.level)],
                "subjects": [subject.name] if subject else [],
                "course": _ref("course", course),
                "school": _ref("org", self.org),
                "terms": terms,
            }
        )

    def _enrol(self, sourced, *, class_id, user_id, role, primary, begin, end, changed) -> None:
        self.roster.enrollments.append(
            {
                "sourcedId": sourced,
                "dateLastModified": changed,
                "class": _ref("class", class_id),
                "school": _ref("org", self.org),
                "user": _ref("user", user_id),
                "role": role,
                "primary": primary,
                "beginDate": begin,
                "endDate": end,
            }
        )

    def classes(self, enrolments: list[Enrolment]) -> None:
        """Long because each class kind has its teachers and its students: a homeroom
        class its class teacher and every student enrolled, a subject's class its
        teachers and the class's (or the group's) students."""
        homeroom = self._course(("homeroom",), "Oddział", "ODDZ", None)
        by_class: dict[int, list[Enrolment]] = defaultdict(list)
        for enrolment in enrolments:
            by_class[enrolment.school_class_id].append(enrolment)
        for school_class in self.data.classes:
            class_id = self.id("homeroom", school_class.pk)
            self.roster.class_ids[(school_class.pk, 0, 0)] = class_id
            self._class(
                class_id,
                title=school_class.name,
                code=school_class.name,
                kind="homeroom",
                course=homeroom,
                school_class=school_class,
                subject=None,
                changed=self.changes.of(school_class),
            )
            if school_class.class_teacher_id:
                self._enrol(
                    self.id("teaches", class_id, school_class.class_teacher_id),
                    class_id=class_id,
                    user_id=self.id("staff", school_class.class_teacher_id),
                    role="teacher",
                    primary=True,
                    begin=None,
                    end=None,
                    changed=self.changes.of(school_class),
                )
            for enrolment in by_class[school_class.pk]:
                self._enrol(
                    self.id("enrolment", enrolment.pk),
                    class_id=class_id,
                    user_id=self.roster.student_ids[enrolment.student_id],
                    role="student",
                    primary=False,
                    begin=enrolment.start_date,
                    end=enrolment.end_date,
                    changed=self.changes.of(enrolment),
                )
        self.subject_classes(by_class)

    def subject_classes(self, by_class: dict[int, list[Enrolment]]) -> None:
        taught: dict[tuple[int, int, int], list[TeachingAssignment]] = defaultdict(list)
        for a in self.data.assignments:
            taught[(a.school_class_id, a.subject_id, a.group_id or 0)].append(a)
        classes = {c.pk: c for c in self.data.classes}
        for key, assignments in taught.items():
            school_class, subject, group = (
                classes[key[0]],
                assignments[0].subject,
                assignments[0].group,
            )
            class_id = self.id("class", *key)
            self.roster.class_ids[key] = class_id
            title = f"{school_class.name} {subject.name}" + (f" ({group.name})" if group else "")
            self._class(
                class_id,
                title=title,
                code=f"{school_class.name}-{subject.short_name or subject.name}",
                kind="scheduled",
                course=self._course((subject.pk,), subject.name, subject.short_name, subject),
                school_class=school_class,
                subject=subject,
                changed=self.changes.of(*assignments, group),
            )
            for a in assignments:
                self._enrol(
                    self.id("teaches", class_id, a.teacher_id),
                    class_id=class_id,
                    user_id=self.id("staff", a.teacher_id),
                    role="teacher",
                    primary=True,
                    begin=None,
                    end=None,
                    changed=self.changes.of(a),
                )
            members = self.data.group_members.get(group.pk, set()) if group else None
            for enrolment in by_class[school_class.pk]:
                if members is not None and enrolment.student_id not in members:
                    continue
                self._enrol(
                    self.id("attends", class_id, enrolment.pk),
                    class_id=class_id,
                    user_id=self.roster.student_ids[enrolment.student_id],
                    role="student",
                    primary=False,
                    begin=enrolment.start_date,
                    end=enrolment.end_date,
                    changed=self.changes.of(enrolment, group),
                )

    def deleted(self) -> None:
        """Rows whose register object was deleted (the history keeps its id)."""
        kinds = {
            self.changes.type_ids[Student]: ("users", "student"),
            self.changes.type_ids[Guardian]: ("users", "guardian"),
            self.changes.type_ids[SchoolClass]: ("classes", "homeroom"),
            self.changes.type_ids[Enrolment]: ("enrollments", "enrolment"),
        }
        entries = AuditEntry.objects.filter(
            school_id=self.school.pk,
            action=AuditEntry.Action.DELETE,
            content_type_id__in=kinds,
            at__gte=_midnight(self.year.start_date),
        ).values_list("content_type_id", "object_id", "at")
        for type_id, object_id, at in entries:
            kind, id_kind = kinds[type_id]
            self.roster.deleted[self.id(id_kind, object_id)] = (kind, at)


def build_roster(
    *, school: School, year: SchoolYear, platform: Platform | None = None, day=None
) -> Roster:
    """The school's year as OneRoster rows, for ``platform`` (its people's single sign-on
    ids; only entitled families where it needs the e-learning entitlement) or for the
    school's own export (no platform)."""
    return _Builder(school, year, platform, day or timezone.localdate()).build()
