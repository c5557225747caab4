"""Announcements for tests, published through the service as a person would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.accounts.tests.factories import UserFactory
from dziennik.notices import services
from dziennik.schools.tests import factories as sf


def publish(actor, title="Ogłoszenie", *, classes=(), audience="everyone", days=7, **extra):
    today = timezone.localdate()
    values = {
        "title": title,
        "body": "Treść ogłoszenia.",
        "audience": audience,
        "class_ids": [c.pk for c in classes],
        "shown_from": today,
        "shown_until": today + datetime.timedelta(days=days),
    }
    values.update(extra)
    return services.announcement_publish(actor=actor, **values)


def family_in(world, school_class, username: str, *, journal_number: int = 1):
    """A child in ``school_class`` and their parent with an account ``username``."""
    child = sf.StudentFactory(school=world.school, first_name="Julia", last_name="Nowak")
    sf.EnrolmentFactory(student=child, school_class=school_class, journal_number=journal_number)
    user = UserFactory(username=username, school=world.school, first_name="Piotr")
    guardian = sf.GuardianFactory(school=world.school, user=user, last_name="Nowak")
    sf.GuardianshipFactory(guardian=guardian, student=child)
    return user, child
