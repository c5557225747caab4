"""Demo data of data-subject rights: the fixed parent's (``rodzic``) child was looked at
by the class teacher and the maths teacher (``wychowawca``, ``nauczyciel``) and the
principal in the last weeks, so "who viewed the data" has rows; the parent asked the
school office to correct the child's place of birth (answered) and address (new).
Written in bulk, no history (demo data is the system's)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from dziennik.schools.models import Guardianship

from .models import RectificationRequest, StudentRead

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

READ_DAYS = 20


def populate(ctx: DemoContext) -> None:
    parent = ctx.fixed_users.get("rodzic")
    if parent is None:
        return
    child_id = (
        Guardianship.objects.filter(guardian__user=parent, access=Guardianship.Access.FULL)
        .values_list("student_id", flat=True)
        .first()
    )
    if child_id is None:
        return
    ctx.progress("privacy: reads of the fixed child's data and two requests")
    readers = [
        (ctx.fixed_users.get(name), roles)
        for name, roles in (
            ("wychowawca", "class_teacher,teacher"),
            ("nauczyciel", "teacher"),
            ("dyrektor", "principal"),
        )
    ]
    now = timezone.now()
    reads = []
    for back in range(READ_DAYS):
        at = now - datetime.timedelta(days=back, hours=ctx.rng.randint(0, 6))
        for reader, roles in readers:
            if reader is None or ctx.rng.random() > 0.4:
                continue
            kind = ctx.rng.choice(StudentRead.Kind.values)
            reads.append(
                StudentRead(
                    student_id=child_id,
                    reader=reader,
                    kind=kind,
                    day=timezone.localdate(at),
                    at=at,
                    roles=roles,
                )
            )
    StudentRead.objects.bulk_create(reads, ignore_conflicts=True)
    office = ctx.fixed_users.get("sekretariat")
    RectificationRequest.objects.bulk_create(
        [
            RectificationRequest(
                school=ctx.school,
                requester=parent,
                student_id=child_id,
                data="Miejsce urodzenia",
                wrong="Krakow",
                correct="Kraków",
                status=RectificationRequest.Status.DONE,
                answer="Poprawiono w księdze uczniów.",
                handled_by=office,
                created_at=now - datetime.timedelta(days=12),
                answered_at=now - datetime.timedelta(days=10),
            ),
            RectificationRequest(
                school=ctx.school,
                requester=parent,
                student_id=child_id,
                data="Adres zamieszkania",
                wrong="ul. Polna 1",
                correct="ul. Leśna 2",
                created_at=now - datetime.timedelta(days=1),
            ),
        ]
    )
