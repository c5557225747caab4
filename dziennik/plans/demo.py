"""Demo plans: the leaflet's configuration (a free basic account with the register, the
extended one with SMS info at 22 zł or 32 zł for siblings, the autumn promotion at
school, the e-learning offer), and its use: the class teacher's (``wychowawca``)
activation list from the September parents' meeting, confirmed by the office; a second
class's list waiting for the office's confirmation; the fixed parent (``rodzic``) paid
by transfer.

Written as rows, not through the services, like every demo: the history of changes is
append-only, and a demo that wrote to it could never be reset (``demo --reset``)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from dziennik.schools.models import SchoolClass, Student

from . import pricing, services
from .models import (
    Access,
    ActivationLine,
    ActivationList,
    Channel,
    Package,
    Payment,
    PlanSettings,
    Purchase,
    Statement,
)
from .payments import demo as payments_demo

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

SHARE = 4  # one family in SHARE pays at the meeting


def _meeting_day(ctx: DemoContext) -> datetime.date:
    day = datetime.date(ctx.year.start_date.year, 9, 15)
    return min(day, ctx.today)


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0)))


def _paid(ctx: DemoContext, package: Package, students: list[Student], **how) -> Purchase:
    """A purchase paid and activated on ``how["day"]``: its payment and accesses."""
    day, channel = how["day"], how["channel"]
    price = pricing.quote(
        package, channel=channel, day=day, vat_rate=services.vat_rate_of(ctx.school.pk)
    )
    purchase = Purchase.objects.create(
        school=ctx.school,
        package=package,
        payer=how.get("payer"),
        channel=channel,
        amount=price.amount,
        promotion=package.promotions.filter(name=price.promotion).first()
        if price.promotion
        else None,
        title=services.new_payment_title(ctx.school.pk),
        status=Purchase.Status.PAID,
        paid_at=_moment(day),
        activated_on=day,
        created_by=how.get("payer") or how["office"],
    )
    purchase.students.set(students)
    Payment.objects.create(
        school=ctx.school,
        purchase=purchase,
        channel=channel,
        amount=price.amount,
        external_ref=how["ref"],
        received_on=day,
        recorded_by=how["office"],
        details={"title": purchase.title},
        **services.receipt_fields(ctx.school.pk, day),
    )
    plan = package.plan
    ends = pricing.access_ends(day, plan.validity_months)
    Access.objects.bulk_create(
        Access(
            student=student,
            purchase=purchase,
            plan=plan,
            entitlements=list(plan.entitlements),
            starts=day,
            ends=ends,
        )
        for student in students
    )
    return purchase


def _list(ctx: DemoContext, school_class: SchoolClass, plans: dict, confirm: bool) -> None:
    teacher = school_class.class_teacher
    office = ctx.fixed_users.get("sekretariat")
    students = ctx.students_by_class.get(school_class.pk, [])[::SHARE]
    if teacher is None or office is None or not students:
        return
    day = _meeting_day(ctx)
    activation_list = ActivationList.objects.create(
        school=ctx.school,
        school_class=school_class,
        collected_on=day,
        status=ActivationList.Status.CONFIRMED if confirm else ActivationList.Status.SENT,
        created_by=teacher,
        sent_at=_moment(day),
        decided_by=office if confirm else None,
        decided_at=_moment(day + datetime.timedelta(days=1)) if confirm else None,
    )
    covered: set[int] = set()
    for student in students:
        family = [child for child in services.family_children(student) if child.pk not in covered]
        if len(family) < len(services.family_children(student)):
            continue
        package = plans["siblings"] if len(family) > 1 else plans["single"]
        covered |= {child.pk for child in family}
        amount = pricing.quote(
            package, channel=Channel.SCHOOL, day=day, vat_rate=services.vat_rate_of(ctx.school.pk)
        ).amount
        line = ActivationLine.objects.create(
            activation_list=activation_list, student=student, package=package, amount=amount
        )
        if confirm:
            line.purchase = _paid(
                ctx,
                package,
                family,
                day=day,
                channel=Channel.SCHOOL,
                office=office,
                ref=f"list-line-{line.pk}",
            )
            line.save(update_fields=["purchase"])


def _transfer(ctx: DemoContext, plans: dict) -> None:
    """The fixed parent paid for their children by transfer, a week ago."""
    parent = ctx.fixed_users.get("rodzic")
    office = ctx.fixed_users.get("sekretariat")
    if parent is None or office is None:
        return
    children = list(
        parent.guardian_profile.students.filter(plan_accesses__isnull=True).order_by("pk")
    )
    if not children or len(children) != len(services.family_children(children[0])):
        return
    package: Package = plans["siblings"] if len(children) > 1 else plans["single"]
    _paid(
        ctx,
        package,
        children,
        day=ctx.today - datetime.timedelta(days=7),
        channel=Channel.TRANSFER,
        payer=parent,
        office=office,
        ref=f"demo-transfer-{parent.pk}",
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


def reset(school_ids: list[int]) -> None:
    """What the demo wrote, before its accounts go (they are named on it)."""
    Statement.objects.filter(school_id__in=school_ids).delete()  # and its lines
    ActivationList.objects.filter(school_id__in=school_ids).delete()
    Access.objects.filter(purchase__school_id__in=school_ids).delete()
    Payment.objects.filter(school_id__in=school_ids).delete()
    Purchase.objects.filter(school_id__in=school_ids).delete()
    PlanSettings.objects.filter(school_id__in=school_ids).delete()
