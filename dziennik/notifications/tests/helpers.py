"""What the notification tests share: a grade as the event, addresses, a fixed clock."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from dziennik.grades import services as grades
from dziennik.grades.models import GradeCategory
from dziennik.notifications.models import Delivery

WARSAW = ZoneInfo("Europe/Warsaw")


def at(hour: int, minute: int = 0, day: int = 7) -> datetime.datetime:
    """A moment of 7 (or ``day``) December 2026, Warsaw time."""
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=WARSAW)


def with_addresses(world) -> None:
    for role, address in (
        ("student", "zofia@example.pl"),
        ("own_parent", "anna.wisniewska@example.pl"),
        ("other_parent", "ojciec.kacpra@example.pl"),
    ):
        user = world.user(role)
        user.email = address
        user.save(update_fields=["email"])


def column(world):
    grades.grading_setup_defaults(school=world.school)
    return grades.assessment_create(
        actor=world.user("teacher_in"),
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        name="Sprawdzian – ułamki",
        date=world.term1.start_date + datetime.timedelta(days=10),
        category=GradeCategory.objects.get(school=world.school, name="Sprawdzian"),
    )


def grade(world, assessment, raw="5", student=None):
    """A grade given in its own (committed, as far as the test can) transaction."""
    with transaction.atomic():
        return grades.grade_set(
            actor=world.user("teacher_in"),
            assessment=assessment,
            student=student or world.student,
            raw=raw,
        )


def statuses(channel="email") -> list[str]:
    return list(
        Delivery.objects.filter(channel=channel).order_by("pk").values_list("status", flat=True)
    )
