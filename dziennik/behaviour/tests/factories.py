"""Behaviour notes for tests, written through the service as a teacher would."""

from __future__ import annotations

from django.utils import timezone

from dziennik.behaviour import services
from dziennik.behaviour.models import BehaviourCategory


def category(school, name="aktywność na lekcji") -> BehaviourCategory:
    services.behaviour_categories_ensure_defaults(school=school)
    return BehaviourCategory.objects.get(school=school, name=name)


def write_note(actor, student, text="Aktywny na lekcji.", *, name="aktywność na lekcji", **extra):
    return services.note_create(
        actor=actor,
        student=student,
        category=category(student.school, name),
        text=text,
        date=extra.pop("date", timezone.localdate()),
        **extra,
    )
