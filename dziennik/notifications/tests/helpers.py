"""What the notification tests share: a grade as the event, addresses, a fixed clock."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from dziennik.grades import services as grades
from dziennik.grades.models import GradeCategory
from dziennik.notifications import events
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
    # the guardians' mobile numbers, written as people write them (SMS goes to these)
    for guardian, phone in ((world.own_guardian, "601 234 567"), (world.other_guardian, "")):
        guardian.phone = phone
        guardian.save(update_fields=["phone"])


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


OWN_PARENT_PHONE = "+48601234567"


def sms_on(world, settings, channel="dziennik.notifications.sms.smpp.SmppChannel"):
    """SMS configured (on ``channel``) and allowed for the world's own parent."""
    from dziennik.notifications import services

    settings.NOTIFICATION_CHANNELS = {"sms": channel}
    with_addresses(world)
    parent = world.user("own_parent")
    services.sms_switch(actor=world.user("principal"), user_id=parent.pk, allowed=True)
    services.preferences_update(
        actor=parent, values={"channels": {name: ["in_app", "sms"] for name in events.EVENTS}}
    )


def statuses(channel="email") -> list[str]:
    return list(
        Delivery.objects.filter(channel=channel).order_by("pk").values_list("status", flat=True)
    )
