"""Builders for the plans' tests: the leaflet's configuration in the world's school, a
sibling for the world's student, a paid purchase."""

from __future__ import annotations

import datetime

from dziennik.plans import services
from dziennik.plans.models import Channel, Purchase
from dziennik.schools.tests import factories as sf

AUTUMN = datetime.date(2026, 9, 15)
WINTER = datetime.date(2026, 12, 1)


def leaflet(world) -> dict:
    return services.leaflet_configuration(school=world.school, year_start=2026)


def sibling(world):
    """Zofia's brother Jan, in 4b, the same family and mother."""
    brother = sf.StudentFactory(
        school=world.school,
        first_name="Jan",
        last_name="Wiśniewski",
        family=world.student.family,
    )
    sf.EnrolmentFactory(student=brother, school_class=world.other_class, journal_number=1)
    sf.GuardianshipFactory(guardian=world.own_guardian, student=brother)
    return brother


def paid_purchase(
    world, package, students=None, *, channel=Channel.TRANSFER, day=WINTER, ref="ref-1"
) -> Purchase:
    """A purchase by the world's parent, paid in full and activated on ``day``."""
    purchase = services.purchase_create(
        actor=world.user("own_parent"),
        package=package,
        students=students or [world.student],
        channel=channel,
        day=day,
    )
    services.payment_record(
        actor=world.user("secretary"),
        purchase=purchase,
        channel=channel,
        amount=purchase.amount,
        external_ref=ref,
        received_on=day,
    )
    purchase.refresh_from_db()
    return purchase


def paid_by_office(world, package, child, *, ref: str, day=WINTER) -> Purchase:
    """A purchase for ``child`` made and paid by transfer through the school office."""
    purchase = services.purchase_create(
        actor=world.user("secretary"),
        package=package,
        students=[child],
        channel=Channel.TRANSFER,
        day=day,
    )
    services.payment_record(
        actor=world.user("secretary"),
        purchase=purchase,
        channel=Channel.TRANSFER,
        amount=purchase.amount,
        external_ref=ref,
        received_on=day,
    )
    return purchase
