"""Messages for tests, sent through the services as a person would."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from dziennik.accounts.tests.factories import UserFactory
from dziennik.attendance.tests.factories import committed
from dziennik.messaging import services
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def pdf(name="plik.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def send(actor, to=(), *, groups=(), subject="Pytanie", body="Dzień dobry.", files=()):
    """A message from ``actor`` to the users ``to`` and the groups ``groups``, fanned out
    as if it had committed."""
    with committed():
        return services.message_send(
            actor=actor,
            subject=subject,
            body=body,
            recipient_ids=[u.pk for u in to],
            group_keys=list(groups),
            files=list(files),
        )


def family_in(world, school_class, username: str, *, journal_number: int = 3, **access):
    """A child in ``school_class`` and their parent with an account ``username``."""
    child = sf.StudentFactory(school=world.school, first_name="Julia", last_name=username)
    sf.EnrolmentFactory(student=child, school_class=school_class, journal_number=journal_number)
    user = UserFactory(
        username=username, school=world.school, first_name="Piotr", last_name="Nowak"
    )
    guardian = sf.GuardianFactory(school=world.school, user=user, last_name="Nowak")
    sf.GuardianshipFactory(guardian=guardian, student=child, **access)
    return user, child


def council_member(world, user):
    sm.SchoolRole.objects.create(school=world.school, user=user, role="council_member")
