"""Demo announcements: what a Polish primary school puts on its board in a month – from
the principal, the office and teachers, to the whole school, to classes, to parents
only and to students only; most current, one coming, one past. Many parents have read
them; the fixed parent (``rodzic``) has not read the newest two, so the unread mark and
the home panel show at once. Written in bulk, no history (demo data is the system's).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from dziennik.schools.models import Guardian, SchoolRole

from .models import Announcement, AnnouncementRead

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

A = Announcement.Audience

# (author: "principal" | "secretary" | "teacher", title, body, audience, class levels
# (empty: the whole school), first day relative to today, days shown)
ANNOUNCEMENTS = [
    (
        "principal",
        "Zebrania z rodzicami",
        "Szanowni Państwo,\nzapraszamy na zebrania z wychowawcami w najbliższy czwartek "
        "o godz. 17:00. Sale według planu na tablicy przy wejściu.\nDyrektor szkoły",
        A.PARENTS,
        (),
        -2,
        10,
    ),
    (
        "secretary",
        "Legitymacje szkolne do odbioru",
        "Nowe i przedłużone legitymacje szkolne są do odbioru w sekretariacie "
        "od poniedziałku do piątku w godz. 8:00–15:00.",
        A.EVERYONE,
        (),
        -5,
        14,
    ),
    (
        "teacher",
        "Wyjście do teatru – klasy 4",
        "W przyszłą środę klasy czwarte idą na spektakl „Akademia Pana Kleksa” do Teatru "
        "Lalka. Zbiórka o 8:15 przed szkołą, koszt biletu 35 zł (płatność u wychowawcy).",
        A.EVERYONE,
        (4,),
        -1,
        9,
    ),
    (
        "teacher",
        "Szkolny konkurs matematyczny „Kangurek”",
        "Zapraszamy uczniów klas 5–8 do udziału w szkolnym etapie konkursu. Zapisy u "
        "nauczycieli matematyki do piątku. Regulamin: https://www.kangur-mat.pl/",
        A.STUDENTS,
        (5, 6, 7, 8),
        -3,
        12,
    ),
    (
        "principal",
        "Dzień wolny od zajęć dydaktycznych",
        "Informuję, że w piątek po święcie zajęcia dydaktyczne się nie odbędą. Świetlica "
        "szkolna będzie czynna w godz. 7:00–16:00 dla dzieci zgłoszonych do sekretariatu.",
        A.EVERYONE,
        (),
        -7,
        20,
    ),
    (
        "secretary",
        "Ubezpieczenie NNW",
        "Przypominamy o możliwości wykupienia ubezpieczenia NNW na ten rok szkolny. "
        "Deklaracje i szczegóły u wychowawców.",
        A.PARENTS,
        (),
        -40,
        30,
    ),
    (
        "principal",
        "Rada pedagogiczna",
        "Zebranie rady pedagogicznej w poniedziałek o 15:30 w pokoju nauczycielskim. "
        "Porządek obrad w sekretariacie.",
        A.STAFF,
        (),
        0,
        5,
    ),
    (
        "teacher",
        "Kiermasz świąteczny",
        "Samorząd Uczniowski zaprasza na kiermasz ozdób świątecznych. Dochód przeznaczamy "
        "na schronisko dla zwierząt.",
        A.EVERYONE,
        (),
        5,
        10,
    ),
]


def populate(ctx: DemoContext) -> None:
    ctx.progress("notices: announcements")
    roles = dict(
        SchoolRole.objects.filter(
            school=ctx.school, role__in=["principal", "secretary"]
        ).values_list("role", "user")
    )
    staff = {"principal": roles.get("principal"), "secretary": roles.get("secretary")}
    teachers = [t.pk for t in ctx.teachers] or [staff["principal"]]
    classes_by_level: dict[int, list[int]] = {}
    for c in ctx.classes:
        classes_by_level.setdefault(c.level, []).append(c.pk)
    rows, targets = [], []
    for author, title, body, audience, levels, start, days in ANNOUNCEMENTS:
        author_id = staff.get(author) or ctx.rng.choice(teachers)
        first = ctx.today + datetime.timedelta(days=start)
        class_ids = [pk for level in levels for pk in classes_by_level.get(level, [])]
        rows.append(
            Announcement(
                school=ctx.school,
                author_id=author_id,
                title=title,
                body=body,
                audience=audience,
                for_whole_school=not class_ids,
                shown_from=first,
                shown_until=first + datetime.timedelta(days=days),
            )
        )
        targets.append(class_ids)
    Announcement.objects.bulk_create(rows)
    through = Announcement.classes.through
    through.objects.bulk_create(
        [
            through(announcement_id=a.pk, schoolclass_id=class_id)
            for a, class_ids in zip(rows, targets, strict=True)
            for class_id in class_ids
        ]
    )
    _reads(ctx, rows)


def _reads(ctx: DemoContext, rows: list[Announcement]) -> None:
    """Most parents have read the older announcements; the newest two wait for the
    fixed parent."""
    parents = list(
        Guardian.objects.filter(school=ctx.school, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    fixed = ctx.fixed_users.get("rodzic")
    # Those a parent sees today (not the ones shown from a later day): the newest two or
    # three of them wait unread, whatever the day of the week the demo is built on.
    shown = [
        a for a in rows if a.shown_from <= ctx.today and a.audience not in (A.STUDENTS, A.STAFF)
    ]
    newest = {a.pk for a in sorted(shown, key=lambda a: a.shown_from, reverse=True)[:3]}
    reads = []
    for a in shown:
        for user_id in parents:
            if fixed is not None and user_id == fixed.pk and a.pk in newest:
                continue
            if ctx.rng.random() < 0.6:
                reads.append(AnnouncementRead(announcement_id=a.pk, user_id=user_id))
    AnnouncementRead.objects.bulk_create(reads, batch_size=1000, ignore_conflicts=True)


def reset(school_ids: list[int]) -> None:
    """Remove the demo schools' announcements (before their authors' accounts)."""
    Announcement.objects.filter(school_id__in=school_ids).delete()
