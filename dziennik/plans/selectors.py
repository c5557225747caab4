"""Reads of the plans app, viewer-aware.

``entitlements_for(viewer, student, day)``: what the child's and the parents' accounts
may use on ``day`` – the free plan's entitlements, everything the law keeps free in the
statutory model (L-05), and every active access a purchase gave the child. Staff who may
see the student are never limited by a family's plan (all entitlements).
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dziennik.core.cache import cached, config_scope
from dziennik.schools.models import School, Student
from dziennik.schools.permissions import students as student_policy
from dziennik.schools.viewer import Viewer

from . import entitlements
from .models import Access, Plan, PlanSettings


def plan_settings_of(school_id: int) -> PlanSettings:
    """The school's settings; an unsaved default (statutory) when it has none."""
    found = PlanSettings.objects.filter(school_id=school_id).first()
    return found if found is not None else PlanSettings(school_id=school_id)


def free_entitlements(school_id: int, settings: PlanSettings) -> frozenset[str]:
    """What a basic account may use in the school (from anywhere)."""
    free = Plan.objects.filter(school_id=school_id, is_free=True).values_list(
        "entitlements", flat=True
    )
    found = set(free.first() or ())
    if settings.mode == PlanSettings.Mode.STATUTORY:
        found |= entitlements.FREE_BY_LAW
    return frozenset(found)


def _free_plan(school_id: int) -> frozenset[str]:
    def build() -> frozenset[str]:
        free = Plan.objects.filter(school_id=school_id, is_free=True)
        return frozenset(free.values_list("entitlements", flat=True).first() or ())

    return cached(f"plan-free:{school_id}", [config_scope(school_id)], build)


def is_family_of(viewer: Viewer, student_id: int) -> bool:
    return student_id in viewer.child_ids or student_id == viewer.student_id


def entitlements_for(viewer: Viewer, student: Student, day: datetime.date) -> frozenset[str]:
    """See the module's docstring; a viewer who may not see the student gets 404."""
    if student.school_id != viewer.school_id:
        raise Http404
    if not is_family_of(viewer, student.pk):
        student_policy.require(viewer, "view", student)
        return entitlements.ALL
    rules = school_rules(student.school_id)
    found = set(_free_plan(student.school_id))
    if rules.statutory:
        found |= entitlements.FREE_BY_LAW
    paid = Access.objects.filter(student_id=student.pk, starts__lte=day, ends__gte=day)
    for granted in paid.values_list("entitlements", flat=True):
        found |= set(granted)
    return frozenset(found)


# --- gating: may the family's account use an entitlement now? ------------------------------


@dataclass(frozen=True)
class SchoolRules:
    """What gating needs of a school, kept per version of its configuration."""

    school_id: int
    statutory: bool  # the statutory model, or a public school whatever is stored (L-05)
    networks: tuple[str, ...] = ()
    hours: tuple[tuple[int, str, str], ...] = ()


def school_rules(school_id: int) -> SchoolRules:
    """One query on a cold cache, none after (``config_scope``: plan settings are
    configuration)."""

    def build() -> SchoolRules:
        row = (
            School.objects.filter(pk=school_id)
            .values(
                "is_public",
                "plan_settings__mode",
                "plan_settings__networks",
                "plan_settings__consultation_hours",
            )
            .first()
        ) or {"is_public": True, "plan_settings__mode": None}
        at_school = row["plan_settings__mode"] == PlanSettings.Mode.AT_SCHOOL
        if row["is_public"] or not at_school:
            return SchoolRules(school_id=school_id, statutory=True)
        return SchoolRules(
            school_id=school_id,
            statutory=False,
            networks=tuple(row["plan_settings__networks"].split()),
            hours=tuple(
                (int(h["weekday"]), h["start"], h["end"])
                for h in row["plan_settings__consultation_hours"] or ()
            ),
        )

    return cached(school_rules_key(school_id), [config_scope(school_id)], build)


def school_rules_key(school_id: int | None) -> str:
    """The cache key of ``school_rules`` (to ``core.cache.read_ahead`` it)."""
    return f"plan-rules:{school_id}"


def in_networks(address: str | None, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for network in networks:
        net = ipaddress.ip_network(network, strict=False)
        if ip.version == net.version and ip in net:
            return True
    return False


def in_hours(moment: datetime.datetime, hours: tuple[tuple[int, str, str], ...]) -> bool:
    """Whether ``moment`` (aware) falls in the consultation hours, in the school's time."""
    local = timezone.localtime(moment)
    now = f"{local:%H:%M}"
    return any(
        weekday == local.isoweekday() and start <= now < end for weekday, start, end in hours
    )


@dataclass(frozen=True)
class Refusal:
    """Why a family's account may not use ``code`` now, and how to get it."""

    code: str
    student_id: int
    at_school: bool = False  # the 2012 model: at school, in consultation hours
    hours: tuple[tuple[int, str, str], ...] = ()

    @property
    def label(self) -> str:
        return entitlements.label(self.code)

    def hour_rows(self) -> list[str]:
        names = dict(WEEKDAYS)
        return [f"{names[weekday]} {start}–{end}" for weekday, start, end in self.hours]


WEEKDAYS = (
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
)


def require(
    viewer: Viewer,
    student_id: int,
    code: str,
    *,
    address: str | None,
    moment: datetime.datetime,
) -> Refusal | None:
    """None when the viewer may use ``code`` for the student now, else why not. Only a
    family's own accounts are gated (staff see what their role lets them; a stranger is
    refused by the page's own policy). The address is the client's as the trusted proxy
    reports it (``core.client_address``); nothing here is cached per address or time."""
    refused = refusals(viewer, {student_id}, (code,), address=address, moment=moment)
    return refused.get((student_id, code))


def refusals(
    viewer: Viewer,
    student_ids: set[int],
    codes: tuple[str, ...],
    *,
    address: str | None,
    moment: datetime.datetime,
) -> dict[tuple[int, str], Refusal]:
    """``require`` for several of the family's students and entitlements at once (the
    home page's panels and its cache key): the refused (student, code) pairs. No query
    when the law keeps every code free (the statutory model, warm cache); else one (the
    students' active accesses), whatever their number."""
    students = {pk for pk in student_ids if is_family_of(viewer, pk)}
    if not students:
        return {}
    rules = school_rules(viewer.school_id)
    asked = [c for c in codes if not (rules.statutory and c in entitlements.FREE_BY_LAW)]
    if not asked:
        return {}
    free = _free_plan(viewer.school_id) | (
        entitlements.FREE_BY_LAW if rules.statutory else frozenset()
    )
    asked = [c for c in asked if c not in free]
    if not asked:
        return {}
    day = timezone.localdate(moment)
    granted: dict[int, set[str]] = {pk: set() for pk in students}
    for student_id, codes_granted in Access.objects.filter(
        student_id__in=students, starts__lte=day, ends__gte=day
    ).values_list("student_id", "entitlements"):
        granted[student_id].update(codes_granted or ())
    at_school = (
        not rules.statutory
        and in_networks(address, rules.networks)
        and in_hours(moment, rules.hours)
    )
    found = {}
    for student_id in sorted(students):
        for code in asked:
            if code in granted[student_id]:
                continue
            if not rules.statutory and code in entitlements.AT_SCHOOL_ONLY:
                if at_school:
                    continue
                found[(student_id, code)] = Refusal(
                    code=code, student_id=student_id, at_school=True, hours=rules.hours
                )
            else:
                found[(student_id, code)] = Refusal(code=code, student_id=student_id)
    return found
