"""Consultation hours, bookings and class meetings for tests, made through the services
as a person would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.meetings import services


def a_day(days: int = 7) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def publish(teacher, *, days: int = 7, start=(16, 0), end=(17, 0), minutes: int = 10, room="12"):
    """Consultation hours of ``teacher`` in ``days`` days, 16:00–17:00 in 10-minute slots."""
    return services.consultation_publish(
        actor=teacher,
        date=a_day(days),
        starts_at=datetime.time(*start),
        ends_at=datetime.time(*end),
        slot_minutes=minutes,
        room=room,
    )


def book(parent, slot, student):
    return services.booking_create(actor=parent, slot=slot, student=student)


def call_meeting(class_teacher, school_class, *, days: int = 10, topic="Wycieczka klasowa"):
    return services.class_meeting_create(
        actor=class_teacher,
        school_class=school_class,
        date=a_day(days),
        starts_at=datetime.time(17, 0),
        ends_at=datetime.time(18, 0),
        room="4",
        topic=topic,
    )
