"""Demo plans: the leaflet's configuration (a free basic account with the register, the
extended one with SMS info at 22 zł or 32 zł for siblings, the autumn promotion at
school, the e-learning offer), and its use: the class teacher's (``wychowawca``)
activation list from the September parents' meeting, confirmed by the office; a second
class's list waiting for the office's confirmation; some families paid by transfer, the
fixed parent (``rodzic``) among them. Written through the services, so the history shows
it all."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from dziennik.schools.models import SchoolClass

from . import services
from .models import Channel, Package
from .payments import demo as payments_demo

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

SHARE = 4  # one family in SHARE pays at the meeting


def _meeting_day(ctx: DemoContext) -> datetime.date:
    day = datetime.date(ctx.year.start_date.year, 9, 15)
    return min(day, ctx.today)


def _list(ctx: DemoContext, school_class: SchoolClass, plans: dict, confirm: bool) -> None:
    teacher = school_class.class_teacher
    office = ctx.fixed_users.get("sekretariat")
    if teacher is None or office is None:
        return
    students = ctx.students_by_class.get(school_class.pk, [])[::SHARE]
    if not students:
        return
    activation_list = services.activation_list_create(
        actor=teacher, school_class=school_class, collected_on=_meeting_day(ctx)
    )
    choices, covered = {}, set()
    for student in students:
        family = services.family_children(student)
        if any(child.pk in covered for child in family):
            continue
        package = plans["siblings"] if len(family) > 1 else plans["single"]
        choices[student.pk] = package.pk
        covered |= {child.pk for child in family}
    services.activation_list_save(actor=teacher, activation_list=activation_list, choices=choices)
    services.activation_list_send(actor=teacher, activation_list=activation_list)
    if confirm:
        services.activation_list_confirm(
            actor=office, activation_list=activation_list, day=_meeting_day(ctx)
        )


def _transfer(ctx: DemoContext, plans: dict) -> None:
    """The fixed parent paid for their children by transfer, a week ago."""
    parent = ctx.fixed_users.get("rodzic")
    office = ctx.fixed_users.get("sekretariat")
    if parent is None or office is None:
        return
    children = list(
        parent.guardian_profile.students.filter(plan_accesses__isnull=True).order_by("pk")
    )
    if not children:
        return
    package: Package = plans["siblings"] if len(children) > 1 else plans["single"]
    day = ctx.today - datetime.timedelta(days=7)
    try:
        purchase = services.purchase_create(
            actor=parent, package=package, students=children, channel=Channel.TRANSFER, day=day
        )
    except ValidationError:  # a family shape the package refuses: no demo purchase
        return
    services.payment_record(
        actor=office,
        purchase=purchase,
        channel=Channel.TRANSFER,
        amount=purchase.amount,
        external_ref=f"demo-{purchase.title}",
        received_on=day,
        details={"title": purchase.title},
    )


def populate(ctx: DemoContext) -> None:
    ctx.progress("plans: the leaflet's plans, activation lists and payments")
    plans = services.leaflet_configuration(school=ctx.school, year_start=ctx.year.start_date.year)
    classes = [c for c in ctx.classes if c.class_teacher_id]
    lead = ctx.fixed_users.get("wychowawca")
    classes.sort(key=lambda c: (c.class_teacher_id != getattr(lead, "pk", None), c.name))
    for index, school_class in enumerate(classes[:3]):
        _list(ctx, school_class, plans, confirm=index != 1)
    _transfer(ctx, plans)
    payments_demo.populate(ctx)
