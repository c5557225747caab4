"""Test support shared by every app: the usual actors, and the authorization matrix.

``build_world()`` makes two schools with one of every kind of user. ``AuthzMatrix``
requests a URL as each of them and checks the status, that nothing leaked, and (for
writes) that nothing changed for the roles that were refused.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import UserFactory
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf

ROLES = (
    "anonymous",
    "student",
    "own_parent",
    "other_parent",
    "teacher_in",
    "teacher_out",
    "class_teacher",
    "principal",
    "other_principal",
)


@dataclass
class World:
    school: sm.School
    other_school: sm.School
    year: sm.SchoolYear
    term1: sm.Term
    term2: sm.Term
    school_class: sm.SchoolClass  # "4a": the student's class
    other_class: sm.SchoolClass  # "4b": taught by teacher_out, none of the world's children
    subject: sm.Subject  # taught by teacher_in in 4a
    other_subject: sm.Subject
    student: sm.Student  # own child, in 4a, has an account
    classmate: sm.Student  # the other family's child, also in 4a
    own_guardian: sm.Guardian
    other_guardian: sm.Guardian
    users: dict[str, User | None] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return self.users[role]

    def client(self, role: str) -> Client:
        client = Client()
        user = self.users[role]
        if user is not None:
            client.force_login(user)
        return client


def _user(username: str, school: sm.School, first: str, last: str, **extra) -> User:
    return UserFactory(username=username, school=school, first_name=first, last_name=last, **extra)


def build_world() -> World:
    start = sf.school_year_start()
    school = sf.SchoolFactory(name="Szkoła Podstawowa nr 7 im. Marii Skłodowskiej-Curie")
    other_school = sf.SchoolFactory(name="Liceum Ogólnokształcące nr 2")
    year = sf.SchoolYearFactory(school=school, start_date=start)
    other_year = sf.SchoolYearFactory(school=other_school, start_date=start)
    term1 = sf.TermFactory(
        school_year=year,
        number=1,
        start_date=start,
        end_date=datetime.date(start.year + 1, 1, 31),
    )
    term2 = sf.TermFactory(
        school_year=year,
        number=2,
        start_date=datetime.date(start.year + 1, 2, 1),
        end_date=datetime.date(start.year + 1, 8, 31),
    )
    users: dict[str, User | None] = {"anonymous": None}
    users["principal"] = _user("dyrektor-test", school, "Halina", "Zawadzka")
    users["teacher_in"] = _user("n-in", school, "Tomasz", "Lewandowski")
    users["teacher_out"] = _user("n-out", school, "Ewa", "Kamińska")
    users["class_teacher"] = _user("wych", school, "Grażyna", "Wójcik")
    users["other_principal"] = _user("dyrektor-inny", other_school, "Jan", "Obcy")
    users["secretary"] = _user("sekr", school, "Barbara", "Nowicka")
    for role, user in (
        ("principal", users["principal"]),
        ("teacher", users["teacher_in"]),
        ("teacher", users["teacher_out"]),
        ("teacher", users["class_teacher"]),
        ("secretary", users["secretary"]),
    ):
        sm.SchoolRole.objects.create(school=school, user=user, role=role)
    sm.SchoolRole.objects.create(
        school=other_school, user=users["other_principal"], role="principal"
    )

    school_class = sf.SchoolClassFactory(
        school=school, school_year=year, name="4a", level=4, class_teacher=users["class_teacher"]
    )
    other_class = sf.SchoolClassFactory(school=school, school_year=year, name="4b", level=4)
    sf.SchoolClassFactory(school=other_school, school_year=other_year, name="1a", level=1)
    subject = sf.SubjectFactory(school=school, name="Matematyka")
    other_subject = sf.SubjectFactory(school=school, name="Historia")
    sm.TeachingAssignment.objects.create(
        school=school, teacher=users["teacher_in"], subject=subject, school_class=school_class
    )
    sm.TeachingAssignment.objects.create(
        school=school,
        teacher=users["teacher_out"],
        subject=other_subject,
        school_class=other_class,
    )
    sm.TeachingAssignment.objects.create(
        school=school,
        teacher=users["class_teacher"],
        subject=other_subject,
        school_class=school_class,
    )

    family = sm.Family.objects.create(school=school, name="Wiśniewscy")
    other_family = sm.Family.objects.create(school=school, name="Dąbrowscy")
    users["student"] = _user("uczen-test", school, "Zofia", "Wiśniewska")
    student = sf.StudentFactory(
        school=school,
        first_name="Zofia",
        last_name="Wiśniewska",
        family=family,
        user=users["student"],
    )
    classmate = sf.StudentFactory(
        school=school, first_name="Kacper", last_name="Dąbrowski", family=other_family
    )
    sf.EnrolmentFactory(student=student, school_class=school_class, journal_number=1)
    sf.EnrolmentFactory(student=classmate, school_class=school_class, journal_number=2)

    users["own_parent"] = _user("rodzic-test", school, "Anna", "Wiśniewska")
    users["other_parent"] = _user("rodzic-inny", school, "Marek", "Dąbrowski")
    own_guardian = sf.GuardianFactory(
        school=school,
        first_name="Anna",
        last_name="Wiśniewska",
        family=family,
        user=users["own_parent"],
    )
    other_guardian = sf.GuardianFactory(
        school=school,
        first_name="Marek",
        last_name="Dąbrowski",
        family=other_family,
        user=users["other_parent"],
    )
    sf.GuardianshipFactory(guardian=own_guardian, student=student)
    sf.GuardianshipFactory(
        guardian=other_guardian, student=classmate, relation=sm.Guardianship.Relation.FATHER
    )
    return World(
        school=school,
        other_school=other_school,
        year=year,
        term1=term1,
        term2=term2,
        school_class=school_class,
        other_class=other_class,
        subject=subject,
        other_subject=other_subject,
        student=student,
        classmate=classmate,
        own_guardian=own_guardian,
        other_guardian=other_guardian,
        users=users,
    )


# Expected answers for a page about the world's student (``world.student``), read-only.
STUDENT_PAGE = {
    "anonymous": 302,
    "student": 200,
    "own_parent": 200,
    "other_parent": 404,
    "teacher_in": 200,
    "teacher_out": 404,
    "class_teacher": 200,
    "principal": 200,
    "other_principal": 404,
}
# A page only staff of the class may open.
CLASS_STAFF_PAGE = {
    "anonymous": 302,
    "student": 404,
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 200,
    "teacher_out": 404,
    "class_teacher": 200,
    "principal": 200,
    "other_principal": 404,
}


@dataclass
class MatrixResult:
    role: str
    status: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def leaks(self, secret: str) -> bool:
        return leaks(self.text, secret)


# CSRF tokens are random letters and digits: a short secret such as a class name "4a"
# would otherwise turn up in one of them now and then.
_CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{32,}")


def leaks(text: str, secret: str) -> bool:
    """Does ``secret`` appear in ``text`` as a whole token (not inside a longer word)?"""
    if not secret:
        return False
    text = _CSRF_TOKEN.sub(" ", text)
    pattern = re.escape(secret)
    if secret[0].isalnum():
        pattern = r"(?<![^\W_])" + pattern
    if secret[-1].isalnum():
        pattern += r"(?![^\W_])"
    return re.search(pattern, text) is not None


class AuthzMatrix:
    """Run one request as every role and check what each one got.

    ``expected`` maps role → status. ``secrets`` are strings that must not appear in any
    response whose status is not 200 (and, via ``secrets_for``, per-role extras that must
    not appear even in a 200). ``state`` is a callable returning something comparable:
    for refused roles it must be the same before and after the request.
    """

    def __init__(self, world: World):
        self.world = world

    def check(
        self,
        url: str,
        expected: dict[str, int],
        *,
        method: str = "get",
        data: Any = None,
        secrets: Iterable[str] = (),
        secrets_for: dict[str, Iterable[str]] | None = None,
        state: Callable[[], Any] | None = None,
        roles: Iterable[str] | None = None,
        **extra,
    ) -> dict[str, MatrixResult]:
        results: dict[str, MatrixResult] = {}
        failures: list[str] = []
        for role in roles or expected.keys():
            want = expected[role]
            before = state() if state is not None else None
            client = self.world.client(role)
            response = getattr(client, method)(url, data=data, **extra)
            content = getattr(response, "content", b"")
            if hasattr(response, "streaming_content"):
                content = b"".join(response.streaming_content)
            results[role] = MatrixResult(role, response.status_code, content)
            if response.status_code != want:
                failures.append(f"{role}: expected {want}, got {response.status_code}")
                continue
            if response.status_code == 302 and role == "anonymous":
                location = response.get("Location", "")
                if "/konto/logowanie/" not in location:
                    failures.append(f"{role}: redirected to {location}, not to the login page")
            if want != 200 or role in (secrets_for or {}):
                leak_list = list(secrets) if want != 200 else []
                leak_list += list((secrets_for or {}).get(role, ()))
                for secret in leak_list:
                    if results[role].leaks(secret):
                        failures.append(f"{role}: response leaks {secret!r}")
            if state is not None and want >= 300:
                after = state()
                if after != before:
                    failures.append(f"{role}: state changed although refused ({want})")
        assert not failures, f"{method.upper()} {url}:\n  " + "\n  ".join(failures)
        return results


@contextlib.contextmanager
def cold_queries():
    """Capture the queries of the block with the cache emptied first (the cold path), so
    that a pinned count does not depend on what earlier requests left in the cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as context:
        yield context
