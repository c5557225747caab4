"""Reads of OneRoster: the roster of a school's year (for its administrator's export or a
platform's API client), the school's OneRoster clients for the platforms screen."""

from __future__ import annotations

import datetime
import hashlib
import uuid

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from dziennik.core.cache import cached, config_scope, data_scope
from dziennik.schools.models import Enrolment, School, SchoolClass, SchoolYear
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import Viewer
from dziennik.sso import entitlement
from dziennik.sso import permissions as sso_permissions
from dziennik.sso.models import Platform

from . import gradebook, rest
from .models import RosterClient, RosterSettings
from .roster import Roster, build_roster

# The API's kinds of objects → the roster's (or the gradebook's) list of their rows.
ROSTER_KINDS = {
    "orgs": "orgs",
    "academicSessions": "academic_sessions",
    "courses": "courses",
    "classes": "classes",
    "users": "users",
    "enrollments": "enrollments",
}
GRADEBOOK_KINDS = ("categories", "lineItems", "results")


def roster_year(school_id: int, day: datetime.date | None = None) -> SchoolYear | None:
    """The year a roster is of: the current school year, else the latest one begun."""
    day = day or timezone.localdate()
    return current_school_year(school_id, day) or (
        SchoolYear.objects.filter(school_id=school_id, start_date__lte=day)
        .order_by("-start_date")
        .first()
    )


def school_roster(
    *, school: School, platform: Platform | None = None, day: datetime.date | None = None
) -> Roster | None:
    """The roster of the school's year, for a platform or for the school itself; None
    when the school has no year yet."""
    year = roster_year(school.pk, day)
    if year is None:
        return None
    return build_roster(school=school, year=year, platform=platform, day=day)


class RosterView:
    """What one platform's view of a school's year is computed from, and the cache keys
    it is kept under. The versions of the key's scopes move with every change of the
    school's structure (``config_scope``: people, classes, enrolments, guardianships,
    subjects, teaching assignments, grade categories…) and, for the gradebook, of every
    class's register data (``data_scope``: columns and grades); the key itself carries
    the day (the year, the plans' dates), the platform, the set of families entitled to
    it (``plans`` accesses are no configuration) and the host the references point to."""

    def __init__(self, *, school: School, platform: Platform | None, base: str, day):
        self.school, self.platform, self.day = school, platform, day
        self.year = roster_year(school.pk, day)
        if self.year is None:
            return
        entitled = "everyone"  # a platform that does not need the entitlement
        if platform is not None and platform.needs_elearning:
            enrolled = set(
                Enrolment.objects.filter(school_class__school_year=self.year).values_list(
                    "student_id", flat=True
                )
            )
            entitled = "entitled:" + ",".join(
                str(pk)
                for pk in sorted(entitlement.entitled_student_ids(platform, enrolled, day) or ())
            )
        # The platform's pairwise key makes its people's sso subjects (hashed here, as all).
        who = f"{platform.pk}:{platform.pairwise_key}" if platform else "school"
        detail = f"{who}:{self.year.pk}:{day}:{entitled}:{base}"
        digest = hashlib.blake2b(detail.encode(), digest_size=16).hexdigest()
        self.key = f"oneroster:{school.pk}:{digest}"
        self.base = base
        self.roster_scopes = [config_scope(school.pk)]
        self._gradebook_scopes = None

    def gradebook_scopes(self) -> list:
        """The school's structure and the register data of each of the year's classes."""
        if self._gradebook_scopes is None:
            class_ids = SchoolClass.objects.filter(school_year=self.year).values_list(
                "pk", flat=True
            )
            self._gradebook_scopes = self.roster_scopes + [data_scope(pk) for pk in class_ids]
        return self._gradebook_scopes

    def roster(self) -> Roster:
        """The year's rows (as ``build_roster`` makes them), kept until the school changes."""
        return cached(
            self.key + ":roster",
            self.roster_scopes,
            lambda: build_roster(
                school=self.school, year=self.year, platform=self.platform, day=self.day
            ),
        )

    def _results_context(self) -> tuple[uuid.UUID, dict[int, str], dict[int, dict]]:
        """What a result row needs besides its grade: the namespace, the students'
        sourcedIds and the columns (small beside the results themselves)."""

        def build():
            roster = self.roster()
            return roster.namespace, roster.student_ids, gradebook.line_items(roster)

        return cached(self.key + ":results-context", self.gradebook_scopes(), build)

    def _rows(self, kind: str) -> list[dict]:
        if kind in ROSTER_KINDS:
            return getattr(self.roster(), ROSTER_KINDS[kind])
        if kind == "categories":
            return gradebook.categories(self.roster())
        namespace, student_ids, items = self._results_context()
        if kind == "lineItems":
            return list(items.values())
        grades = gradebook.current_grades(student_ids, items)
        return [
            gradebook.result_row(namespace, student_ids, grade, items[grade.assessment_id])
            for grade in grades
        ]

    def objects(self, kind: str) -> list[dict]:
        """The objects of one kind (``users``, ``results``…) as the API gives them."""
        if self.year is None:
            return []
        scopes = self.roster_scopes if kind in ROSTER_KINDS else self.gradebook_scopes()
        return cached(
            f"{self.key}:{kind}",
            scopes,
            lambda: [rest.to_json(row, self.base) for row in self._rows(kind)],
        )

    def results_page(self, *, offset: int, limit: int) -> tuple[list[dict], int]:
        """A page of the results in their own order (column, student) and their number,
        from the database: a COUNT and the page's grades, whatever the school's size
        (every result of the year is never loaded for one page)."""
        if self.year is None:
            return [], 0
        namespace, student_ids, items = self._results_context()
        grades = gradebook.current_grades(student_ids, items)
        page = [
            rest.to_json(
                gradebook.result_row(namespace, student_ids, grade, items[grade.assessment_id]),
                self.base,
            )
            for grade in grades[offset : offset + limit]
        ]
        return page, grades.count()


def roster_view(*, school: School, platform: Platform | None, base: str, day=None) -> RosterView:
    """A platform's client's view of the school's year (its entitled families only where
    it needs the e-learning entitlement), references pointing to ``base``. Each kind's
    objects are kept in the cache under versioned keys (``core.cache``), so a request of
    a school whose data did not change does not rebuild the school's year; a change of
    its structure, a new column or grade, a new day or a newly entitled family is a new
    key, and a cold (or absent) cache builds it as before."""
    return RosterView(school=school, platform=platform, base=base, day=day or timezone.localdate())


def roster_clients(viewer: Viewer) -> dict[int, RosterClient]:
    """The OneRoster clients of the viewer's school by platform id (its principal only)."""
    if not sso_permissions.manages_platforms(viewer):
        return {}
    clients = RosterClient.objects.filter(school_id=viewer.school_id).select_related("application")
    return {client.platform_id: client for client in clients}


def roster_settings(viewer: Viewer) -> RosterSettings | None:
    if not sso_permissions.manages_platforms(viewer):
        return None
    return RosterSettings.objects.filter(school_id=viewer.school_id).first()


def client_of_application(application_id: int) -> QuerySet[RosterClient]:
    return RosterClient.objects.select_related("school", "platform").filter(
        application_id=application_id
    )


def viewer_school(viewer: Viewer) -> School:
    """The school whose roster the viewer (its principal) exports."""
    if not sso_permissions.manages_platforms(viewer):
        raise Http404
    return School.objects.get(pk=viewer.school_id)
