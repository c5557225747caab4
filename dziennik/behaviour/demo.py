"""Demo behaviour notes: a few notes a month per class, by the class's own teachers,
mostly praise, with fitting categories and texts, and points (the demo school grades
behaviour by points, B-03). The fixed student (``uczen``) has two fresh notes, so the
home pages' "What's new" shows them at once. Written in bulk, no history (demo data is
the system's)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import TYPE_CHECKING

from . import services
from .models import BehaviourNote, BehaviourSettings

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

TEXTS = {
    "aktywność na lekcji": [
        "Aktywnie uczestniczy w lekcji, chętnie odpowiada na pytania.",
        "Przygotował dodatkowe materiały do lekcji.",
    ],
    "pomoc innym": [
        "Pomaga koledze w nadrobieniu zaległości po chorobie.",
        "Pomogła przy przygotowaniu dekoracji sali na uroczystość.",
    ],
    "udział w konkursie": [
        "Reprezentował szkołę w konkursie recytatorskim.",
        "Zajęła II miejsce w szkolnym konkursie ortograficznym.",
    ],
    "praca na rzecz klasy i szkoły": [
        "Zorganizował zbiórkę karmy dla schroniska.",
        "Dba o porządek w klasopracowni jako dyżurny.",
    ],
    "wysoka kultura osobista": ["Zawsze uprzejmy wobec kolegów i pracowników szkoły."],
    "przeszkadzanie na lekcji": [
        "Rozmawia na lekcji mimo upomnień.",
        "Przeszkadza w prowadzeniu zajęć, nie reaguje na uwagi.",
    ],
    "spóźnienia": ["Spóźnia się na pierwszą lekcję.", "Trzecie spóźnienie w tym miesiącu."],
    "brak zadania lub przyborów": ["Nie ma zeszytu ani podręcznika.", "Brak pracy domowej."],
    "niewłaściwe zachowanie wobec innych": ["Używa wulgarnych słów wobec kolegi na przerwie."],
    "używanie telefonu na lekcji": ["Korzysta z telefonu w czasie lekcji."],
    "informacja dla rodziców": ["Proszę o kontakt z wychowawcą w sprawie wycieczki."],
}
# how often each kind is written: praise a little more often than reprimands
KIND_WEIGHTS = {"positive": 5, "negative": 4, "neutral": 1}


def populate(ctx: DemoContext) -> None:
    ctx.progress("behaviour: notes")
    BehaviourSettings.objects.update_or_create(school=ctx.school, defaults={"uses_points": True})
    categories = services.behaviour_categories_ensure_defaults(school=ctx.school)
    weights = [KIND_WEIGHTS[c.kind] for c in categories]
    teachers = defaultdict(set)
    for a in ctx.assignments:
        teachers[a.school_class_id].add(a.teacher_id)
    days = [d for d in ctx.school_days if d <= ctx.today]
    if not days:
        return
    notes = []
    for school_class in ctx.classes:
        authors = sorted(teachers[school_class.pk]) or [school_class.class_teacher_id]
        for student in ctx.students_by_class.get(school_class.pk, []):
            for _ in range(ctx.rng.choice((0, 1, 1, 2, 3))):
                category = ctx.rng.choices(categories, weights=weights)[0]
                notes.append(
                    _note(ctx, student, school_class, ctx.rng.choice(authors), category, days)
                )
    fixed = ctx.fixed_users.get("uczen")
    if fixed is not None:
        notes.extend(_fresh_notes(ctx, fixed, categories, teachers))
    BehaviourNote.objects.bulk_create(notes, batch_size=1000)
    ctx.progress(f"behaviour: {len(notes)} notes")


def _note(ctx, student, school_class, author_id, category, days) -> BehaviourNote:
    return BehaviourNote(
        school=ctx.school,
        student=student,
        school_class=school_class,
        author_id=author_id,
        category=category,
        kind=category.kind,
        text=ctx.rng.choice(TEXTS.get(category.name, ["Uwaga."])),
        points=category.default_points,
        date=ctx.rng.choice(days),
    )


def _fresh_notes(ctx, user, categories, teachers) -> list[BehaviourNote]:
    """Two notes of the last days for the fixed student: praise and a reprimand."""
    for school_class in ctx.classes:
        for student in ctx.students_by_class.get(school_class.pk, []):
            if student.user_id != user.pk:
                continue
            authors = sorted(teachers[school_class.pk]) or [school_class.class_teacher_id]
            by_name = {c.name: c for c in categories}
            recent = [ctx.today - datetime.timedelta(days=n) for n in (1, 3)]
            return [
                _note(ctx, student, school_class, authors[0], by_name[name], [day])
                for name, day in zip(
                    ("pomoc innym", "przeszkadzanie na lekcji"), recent, strict=True
                )
            ]
    return []


def reset(school_ids: list[int]) -> None:
    """Remove the demo schools' notes (before their authors' accounts)."""
    BehaviourNote.objects.filter(school_id__in=school_ids).delete()
