"""Demo messages: what parents and teachers of a Polish primary school write to each
other in a few weeks – an absence explained to the class teacher and answered, a
question about a missed test, a certificate asked of the office, the class teacher's
letter to all parents of the class, the principal's to all staff. The fixed parent
(``rodzic``) has unread messages, so the header's counter and the home panel show at
once; the other families of each class have a thread or two with their teachers.
Written in bulk, no history (demo data is the system's).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from dziennik.schools.models import Enrolment, Guardianship, SchoolRole

from .models import Delivery, Message, Thread

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

# Threads between a parent and a teacher of the child's class: (who starts: "parent" or
# "teacher", subject, [message texts in turn, the first by who starts]).
PARENT_TEACHER = [
    (
        "parent",
        "Nieobecność w poniedziałek",
        [
            "Dzień dobry,\nuprzejmie informuję, że w poniedziałek córka/syn nie będzie "
            "w szkole z powodu wizyty u lekarza. Usprawiedliwienie prześlę w dzienniku.\n"
            "Z poważaniem",
            "Dzień dobry,\ndziękuję za informację. Proszę o usprawiedliwienie w ciągu "
            "tygodnia. Pozdrawiam serdecznie",
        ],
    ),
    (
        "parent",
        "Zaległy sprawdzian",
        [
            "Dzień dobry,\nczy jest możliwość napisania zaległego sprawdzianu z działu "
            "o ułamkach? Dziecko chorowało w dniu sprawdzianu.",
            "Dzień dobry,\ntak, zapraszam w czwartek na 7. lekcji do sali 12. Zakres "
            "materiału bez zmian.",
            "Bardzo dziękuję, przekażę.",
        ],
    ),
    (
        "teacher",
        "Brak stroju na WF",
        [
            "Szanowni Państwo,\nod dwóch tygodni dziecko nie ma stroju na zajęcia "
            "wychowania fizycznego. Proszę o dopilnowanie, aby strój był w plecaku we "
            "wtorki i czwartki.",
            "Dzień dobry, przepraszamy, od jutra strój będzie. Dziękuję za informację.",
        ],
    ),
    (
        "teacher",
        "Pochwała – konkurs czytelniczy",
        [
            "Dzień dobry,\nz przyjemnością informuję, że Państwa dziecko zajęło II miejsce "
            "w szkolnym konkursie czytelniczym. Dyplom wręczymy na apelu w piątek. "
            "Zdjęcia z konkursu: https://sp-demo.example.pl/galeria",
        ],
    ),
    (
        "parent",
        "Wycieczka do Torunia – zgoda",
        [
            "Dzień dobry,\nczy zgodę na wycieczkę można przekazać przez dziennik? "
            "Wpłatę 120 zł zrobiliśmy przelewem.",
            "Dzień dobry,\nzgodę proszę podpisać na papierowym formularzu – dziecko "
            "dostało go w piątek. Wpłatę widzę, dziękuję.",
        ],
    ),
]
GROUP_LETTER = (
    "Zebranie z rodzicami",
    "Szanowni Państwo,\nzapraszam na zebranie z rodzicami w najbliższy czwartek o 17:00 "
    "w sali 21. Omówimy wyniki pierwszego okresu i plan wycieczki klasowej.\n"
    "Proszę o potwierdzenie obecności odpowiedzią na tę wiadomość.\nWychowawca klasy",
)
STAFF_LETTER = (
    "Rada pedagogiczna – porządek obrad",
    "Szanowni Państwo,\nw załączeniu przesyłam porządek obrad rady pedagogicznej "
    "klasyfikacyjnej. Proszę o uzupełnienie ocen do środy do godz. 15:00.\nDyrektor szkoły",
)
OFFICE_THREAD = (
    "Zaświadczenie o uczęszczaniu do szkoły",
    [
        "Dzień dobry,\nproszę o wystawienie zaświadczenia o uczęszczaniu dziecka do "
        "szkoły (do zakładu pracy). Czy mogę je odebrać w piątek?",
        "Dzień dobry,\nzaświadczenie będzie gotowe do odbioru w sekretariacie w piątek "
        "od 8:00 do 15:00.",
    ],
)


class _Mail:
    """Threads, messages and deliveries to write in bulk, with times in the past."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.threads: list[Thread] = []
        # (thread index, message, recipients, recipients who have not read it)
        self.messages: list[tuple[int, Message, list[int], set[int]]] = []

    def at(self, days_ago: int, minute: int) -> datetime.datetime:
        day = self.ctx.today - datetime.timedelta(days=days_ago)
        moment = datetime.datetime.combine(day, datetime.time(7, 30))
        return timezone.make_aware(moment + datetime.timedelta(minutes=minute))

    def thread(self, subject: str, starter_id: int) -> int:
        self.threads.append(
            Thread(school=self.ctx.school, subject=subject, started_by_id=starter_id)
        )
        return len(self.threads) - 1

    def message(
        self,
        thread: int,
        sender_id: int,
        body: str,
        to: list[int],
        when: datetime.datetime,
        *,
        unread: set[int] = frozenset(),
        audience: str = "",
        groups: tuple[str, ...] = (),
    ) -> None:
        row = Message(
            school=self.ctx.school,
            sender_id=sender_id,
            body=body,
            fanned_out_at=when,
            audience=audience,
            groups=list(groups),
        )
        recipients = [pk for pk in dict.fromkeys(to) if pk != sender_id]
        self.messages.append((thread, row, recipients, set(unread)))

    def save(self) -> None:
        Thread.objects.bulk_create(self.threads)
        rows = []
        for thread, row, _to, _unread in self.messages:
            row.thread = self.threads[thread]
            rows.append(row)
        Message.objects.bulk_create(rows)
        # ``sent_at`` is stamped on creation; the demo's past times are written after.
        for row in rows:
            Message.objects.filter(pk=row.pk).update(sent_at=row.fanned_out_at)
        deliveries = [
            Delivery(
                message=row,
                recipient_id=pk,
                read_at=None if pk in unread else row.fanned_out_at + datetime.timedelta(hours=2),
            )
            for _thread, row, to, unread in self.messages
            for pk in to
        ]
        Delivery.objects.bulk_create(deliveries, batch_size=1000)


def _parents_by_class(ctx: DemoContext) -> dict[int, list[int]]:
    """Each class's parents with an account (full access), in a stable order."""
    links = (
        Guardianship.objects.filter(
            access=Guardianship.Access.FULL,
            guardian__user__isnull=False,
            student__enrolments__school_class__in=ctx.classes,
            student__enrolments__end_date__isnull=True,
        )
        .values_list("student__enrolments__school_class_id", "guardian__user_id")
        .order_by("guardian__user_id")
    )
    found: dict[int, list[int]] = {}
    for class_id, user_id in links:
        if user_id not in found.setdefault(class_id, []):
            found[class_id].append(user_id)
    return found


def _fixed_class(fixed_parent) -> int | None:
    if fixed_parent is None:
        return None
    return (
        Enrolment.objects.filter(student__guardians__user=fixed_parent, end_date__isnull=True)
        .values_list("school_class_id", flat=True)
        .first()
    )


def populate(ctx: DemoContext) -> None:
    ctx.progress("messaging: messages")
    mail = _Mail(ctx)
    roles = dict(
        SchoolRole.objects.filter(
            school=ctx.school, role__in=["principal", "secretary"]
        ).values_list("role", "user")
    )
    fixed_parent = ctx.fixed_users.get("rodzic")
    fixed_id = fixed_parent.pk if fixed_parent is not None else None
    fixed_class = _fixed_class(fixed_parent)
    teachers_of: dict[int, list[int]] = {}
    for a in ctx.assignments:
        teachers_of.setdefault(a.school_class_id, []).append(a.teacher_id)
    parents = _parents_by_class(ctx)
    for school_class in ctx.classes:
        class_parents = parents.get(school_class.pk, [])
        leader = school_class.class_teacher_id
        if not class_parents or leader is None:
            continue
        subject_teachers = [t for t in teachers_of.get(school_class.pk, []) if t != leader]
        # The class teacher's letter to all parents of the class: the fixed parent has
        # not read it yet.
        subject, body = GROUP_LETTER
        mail.message(
            mail.thread(subject, leader),
            leader,
            body,
            class_parents,
            mail.at(2, 0),
            unread={fixed_id},
            audience=f"wszyscy rodzice klasy {school_class.name}",
            groups=(f"class_parents:{school_class.pk}",),
        )
        picks = [fixed_id] if school_class.pk == fixed_class else []
        picks += ctx.rng.sample(class_parents, k=min(2, len(class_parents)))
        for index, parent in enumerate(dict.fromkeys(picks)):
            _thread_with_teacher(ctx, mail, index, parent, leader, subject_teachers, fixed_id)
    if fixed_id is not None and roles.get("secretary"):
        subject, texts = OFFICE_THREAD
        thread = mail.thread(subject, fixed_id)
        mail.message(thread, fixed_id, texts[0], [roles["secretary"]], mail.at(6, 10))
        mail.message(thread, roles["secretary"], texts[1], [fixed_id], mail.at(6, 80))
    if roles.get("principal"):
        subject, body = STAFF_LETTER
        staff = [t.pk for t in ctx.teachers]
        if roles.get("secretary"):
            staff.append(roles["secretary"])
        mail.message(
            mail.thread(subject, roles["principal"]),
            roles["principal"],
            body,
            staff,
            mail.at(1, 30),
            audience="wszyscy pracownicy szkoły",
            groups=("staff",),
        )
    mail.save()


def _thread_with_teacher(ctx, mail, index, parent, leader, subject_teachers, fixed_id) -> None:
    """One conversation of a parent with the class teacher (the first) or a subject
    teacher; the fixed parent has not read the teacher's last message."""
    starts, subject, texts = PARENT_TEACHER[
        (index + ctx.rng.randrange(len(PARENT_TEACHER))) % len(PARENT_TEACHER)
    ]
    teacher = leader
    if index and subject_teachers:
        teacher = ctx.rng.choice(subject_teachers)
    people = [parent, teacher] if starts == "parent" else [teacher, parent]
    thread = mail.thread(subject, people[0])
    days_ago = 3 + ctx.rng.randrange(20)
    for turn, text in enumerate(texts):
        sender, to = people[turn % 2], people[(turn + 1) % 2]
        last = turn == len(texts) - 1
        unread = {to} if last and to == fixed_id else set()
        mail.message(thread, sender, text, [to], mail.at(days_ago, 50 * turn + 5), unread=unread)


def reset(school_ids: list[int]) -> None:
    """Remove the demo schools' messages (before their senders' accounts)."""
    Thread.objects.filter(school_id__in=school_ids).delete()
