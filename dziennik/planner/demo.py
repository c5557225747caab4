"""Demo calendar: a month of a Polish primary school's plans for every class – from a week
ago to three weeks ahead – within the common limits on tests (G-14: at most one a day and
three a week, announced a week ahead): tests and quizzes by the subjects' teachers,
homework (due on a lesson day), a trip and a parent–teacher meeting by the class teacher,
and two school events. Written in bulk, no history (demo data is the system's)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import TYPE_CHECKING

from dziennik.schools.calendar import lesson_days
from dziennik.schools.models import SchoolRole

from .models import Event

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

K = Event.Kind
TESTS = {
    "Matematyka": ["Ułamki zwykłe", "Działania na liczbach naturalnych", "Pola figur"],
    "Język polski": ["Części mowy", "Lektura: „Mikołajek”", "Opowiadanie z dialogiem"],
    "Historia": ["Polska pierwszych Piastów", "Starożytny Egipt"],
    "Przyroda": ["Krajobrazy Polski", "Budowa rośliny"],
    "Biologia": ["Komórka", "Tkanki roślinne"],
    "Geografia": ["Mapa i skala", "Krajobrazy świata"],
    "Fizyka": ["Ruch i siły", "Gęstość"],
    "Chemia": ["Układ okresowy", "Reakcje chemiczne"],
    "Język angielski": ["Present Simple", "Unit 3 – My house"],
}
QUIZZES = ["Kartkówka z trzech ostatnich lekcji", "Kartkówka ze słówek", "Kartkówka z tabliczki"]
HOMEWORK = [
    (
        "Ćwiczenia str. 45, zad. 1–4",
        "Zadania w zeszycie ćwiczeń; kto nie był, prosi kolegę o notatkę.",
    ),
    ("Przeczytać rozdział 3", "Przygotujcie się do rozmowy o bohaterach."),
    ("Karta pracy", "Karta pracy rozdana na lekcji; dla chętnych zadanie z gwiazdką."),
    ("Notatka z lekcji", "Uzupełnić notatkę na podstawie podręcznika, s. 112–114."),
]
TRIPS = [
    (
        "Wyjście do teatru",
        "Teatr Lalka, „Akademia Pana Kleksa”. Zbiórka 8:15 przed szkołą.",
        "Teatr Lalka",
    ),
    ("Wycieczka do muzeum", "Muzeum Narodowe – lekcja muzealna. Bilet 12 zł.", "Muzeum Narodowe"),
    ("Wyjście do kina", "Seans filmu przyrodniczego, powrót ok. 12:30.", "Kino Muranów"),
]
SCHOOL_EVENTS = [
    ("Apel z okazji Święta Niepodległości", "Strój galowy.", 4),
    ("Szkolny kiermasz świąteczny", "Dochód na schronisko dla zwierząt.", 12),
]


def _days(ctx: DemoContext) -> list[datetime.date]:
    start = ctx.today - datetime.timedelta(days=7)
    end = ctx.today + datetime.timedelta(days=21)
    return [d for d in lesson_days(ctx.year, until=end) if d >= start]


def populate(ctx: DemoContext) -> None:
    ctx.progress("planner: calendar")
    days = _days(ctx)
    if not days:
        return
    principal = (
        SchoolRole.objects.filter(school=ctx.school, role="principal")
        .values_list("user_id", flat=True)
        .first()
    )
    subjects = {s.pk: s for s in ctx.subjects}
    taught = defaultdict(list)
    for a in ctx.assignments:
        if a.group_id is None:
            taught[a.school_class_id].append(a)
    events = []
    for school_class in ctx.classes:
        events.extend(_class_events(ctx, school_class, taught[school_class.pk], subjects, days))
    author = principal or (ctx.teachers[0].pk if ctx.teachers else None)
    if author is not None:
        for title, description, offset in SCHOOL_EVENTS:
            day = days[min(offset, len(days) - 1)]
            events.append(
                Event(
                    school=ctx.school,
                    kind=K.SCHOOL_EVENT,
                    title=title,
                    description=description,
                    date=day,
                    starts_at=datetime.time(9, 0),
                    ends_at=datetime.time(10, 0),
                    location="Sala gimnastyczna",
                    author_id=author,
                )
            )
    Event.objects.bulk_create(events, batch_size=1000)
    ctx.progress(f"planner: {len(events)} events")


def _class_events(ctx, school_class, assignments, subjects, days) -> list[Event]:
    """One class's month: a test or a quiz on at most one day in two, never two tests a
    day nor three a week; homework two or three times a week; a trip and a meeting."""
    events = []
    tests_by_week: dict[int, int] = defaultdict(int)
    test_days: set[datetime.date] = set()
    rng = ctx.rng
    for assignment in assignments:
        subject = subjects.get(assignment.subject_id)
        if subject is None:
            continue
        titles = TESTS.get(subject.name)
        if titles and rng.random() < 0.7:
            candidates = [
                d for d in days if d not in test_days and tests_by_week[d.isocalendar()[1]] < 2
            ]
            if candidates:
                day = rng.choice(candidates)
                test_days.add(day)
                tests_by_week[day.isocalendar()[1]] += 1
                events.append(
                    _event(ctx, school_class, assignment, K.TEST, rng.choice(titles), day)
                )
        if rng.random() < 0.3:
            free = [d for d in days if d not in test_days]
            if free:
                day = rng.choice(free)
                events.append(
                    _event(ctx, school_class, assignment, K.QUIZ, rng.choice(QUIZZES), day)
                )
        for _ in range(rng.choice((0, 1, 1, 2))):
            title, description = rng.choice(HOMEWORK)
            events.append(
                _event(
                    ctx, school_class, assignment, K.HOMEWORK, title, rng.choice(days), description
                )
            )
    if school_class.class_teacher_id:
        trip = rng.choice(TRIPS)
        for kind, title, description, place, day, hours in (
            (K.TRIP, *trip, rng.choice(days), (8, 13)),
            (
                K.MEETING,
                "Zebranie z rodzicami",
                "Wyniki śródroczne, sprawy wychowawcze, wycieczka klasowa.",
                "sala klasy",
                days[-1] if len(days) > 1 else days[0],
                (17, 18),
            ),
        ):
            events.append(
                Event(
                    school=ctx.school,
                    school_class=school_class,
                    kind=kind,
                    title=title,
                    description=description,
                    location=place,
                    date=day,
                    starts_at=datetime.time(hours[0], 0),
                    ends_at=datetime.time(hours[1], 0),
                    author_id=school_class.class_teacher_id,
                )
            )
    return events


def _event(ctx, school_class, assignment, kind, title, day, description="") -> Event:
    return Event(
        school=ctx.school,
        school_class=school_class,
        subject_id=assignment.subject_id,
        kind=kind,
        title=title,
        description=description,
        date=day,
        author_id=assignment.teacher_id,
    )


def reset(school_ids: list[int]) -> None:
    """Remove the demo schools' calendars (before their authors' accounts)."""
    Event.objects.filter(school_id__in=school_ids).delete()
