"""A family's purchases, their payments and the accesses they activate.

A purchase covers a family: it names the children (one for a single package, every
child of the family at school for the sibling package), and what it activates
(``Access`` per child) is what the child's and the parents' accounts may use
(``selectors.entitlements_for``). Every write is in the history of changes; payments are
idempotent on their reference, so a repeated notification or a statement imported twice
changes nothing.

Who may write:

- ``purchase_create``: the family for its own children (online, transfer), the class
  teacher for their class (the activation list), the school's office;
- ``payment_record``, ``refund_record``, ``purchase_activate``: the school's office
  (principal, deputy, secretary) or the system (``actor=None``: the payment operator's
  notification);
- ``purchase_cancel``: the payer, a parent of a child it covers, the school's office.

Anyone else gets the same 404 as for a purchase that does not exist.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.schools.models import Enrolment, School, Student
from dziennik.schools.viewer import Viewer, get_viewer

from .. import entitlements, pricing, titles
from ..models import Access, Channel, Offer, Package, Payment, PlanSettings, Purchase
from ..selectors import school_rules
from . import sms

STATUS_FIELDS = ["status", "paid_at", "activated_on"]


def _receipt_vat(school_id: int) -> Decimal | None:
    """The school's VAT rate (23 % by default), None when it is exempt."""
    row = PlanSettings.objects.filter(school_id=school_id).values("vat_rate", "vat_exempt").first()
    if row is None:
        return Decimal("23.00")
    return None if row["vat_exempt"] else row["vat_rate"]


def vat_rate_of(school_id: int) -> Decimal:
    """The VAT rate prices are split by: the school's (23 % by default), 0 when the
    school is exempt (the whole price is net)."""
    rate = _receipt_vat(school_id)
    return Decimal("0.00") if rate is None else rate


def receipt_fields(school_id: int, received_on: datetime.date) -> dict:
    """What a new payment's receipt carries: its year (the calendar year the money was
    received in), the school's next receipt number in that year (from 1 in a year
    without receipts; after the highest given, so numbers of the years before 0007,
    which ran on across years, are never given again) and the VAT rate of the day (None
    when the school is exempt: "zw."). Numbers follow the order payments are recorded;
    call this in the transaction that writes the payment, after the school's row is
    locked (``_create_payment`` does), so two payments never share a number. The demo,
    which writes its rows without the services, calls it too."""
    year = received_on.year
    last = Payment.objects.filter(school_id=school_id, receipt_year=year).aggregate(
        last=Max("receipt_number")
    )
    return {
        "receipt_year": year,
        "receipt_number": (last["last"] or 0) + 1,
        "vat_rate": _receipt_vat(school_id),
    }


def family_children(student: Student) -> list[Student]:
    """The children of the student's family at school now (enrolled in a class); a
    student without a family is their own."""
    if student.family_id is None:
        return [student]
    return list(
        Student.objects.filter(
            school_id=student.school_id,
            family_id=student.family_id,
            enrolments__end_date__isnull=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


def _office(viewer: Viewer, school_id: int) -> bool:
    return viewer.is_school_wide and viewer.school_id == school_id


def _require_office_or_system(actor, school_id: int) -> None:
    if actor is not None and not _office(get_viewer(actor), school_id):
        raise Http404


def _may_buy_for(viewer: Viewer, school_id: int, student_ids: set[int]) -> bool:
    if viewer.school_id != school_id:
        return False
    if viewer.is_school_wide or student_ids <= viewer.child_ids:
        return True
    if not viewer.led_class_ids:
        return False
    led = Enrolment.objects.filter(
        student_id__in=student_ids,
        school_class_id__in=viewer.led_class_ids,
        end_date__isnull=True,
    ).values_list("student_id", flat=True)
    return set(led) == student_ids


def _check_children(package: Package, students: list[Student]) -> None:
    if not students:
        raise ValidationError({"students": _("Name the children the purchase covers.")})
    if package.kind == Package.Kind.SINGLE:
        if len(students) != 1:
            raise ValidationError({"students": _("This package covers one child.")})
        return
    family_ids = {student.family_id for student in students}
    children = family_children(students[0]) if len(family_ids) == 1 else []
    if None in family_ids or len(children) < 2:
        raise ValidationError(
            {"students": _("The sibling package is for a family with two or more children.")}
        )
    if {child.pk for child in children} != {student.pk for student in students}:
        raise ValidationError(
            {
                "students": _(
                    "The sibling package must name every child of the family at school: %(names)s."
                )
                % {"names": ", ".join(child.full_name for child in children)}
            }
        )


def new_payment_title(school_id: int) -> str:
    """A payment title (``titles.make_title``) no purchase of the school has yet. Only
    reads: the services give it to the purchases they create, the demo to its rows."""
    for _attempt in range(10):
        title = titles.make_title(school_id)
        if not Purchase.objects.filter(school_id=school_id, title=title).exists():
            return title
    raise RuntimeError("no free payment title")  # 32**8 codes: never in practice


def _record_purchase(actor, purchase: Purchase, students: list[Student]) -> None:
    changes = {name: [None, value] for name, value in audit.snapshot(purchase).items()}
    changes["students"] = [None, sorted(student.pk for student in students)]
    entry = audit.build_entry(
        actor=actor,
        instance=purchase,
        action="create",
        changes=changes,
        student_id=students[0].pk if len(students) == 1 else None,
    )
    audit.record_many([entry])


@transaction.atomic
def purchase_create(
    *,
    actor,
    package: Package,
    students: Iterable[Student],
    channel: str,
    day: datetime.date,
    payer=None,
) -> Purchase:
    """A pending purchase of ``package`` for ``students`` paid through ``channel``, at
    the price of ``day`` (``pricing.quote``: a promotion in its dates and channel; a
    channel the package may not use is refused). The payer is the acting parent unless
    given."""
    viewer = get_viewer(actor)
    students = list(students)
    if not _may_buy_for(viewer, package.school_id, {student.pk for student in students}):
        raise Http404
    if any(student.school_id != package.school_id for student in students):
        raise Http404
    _check_children(package, students)
    try:
        price = pricing.quote(
            package, channel=channel, day=day, vat_rate=vat_rate_of(package.school_id)
        )
    except (pricing.NotPayable, ValueError) as exc:
        raise ValidationError({"channel": str(exc)}) from exc
    promotion = next(
        (p for p in package.promotions.all() if price.promotion and p.name == price.promotion),
        None,
    )
    purchase = Purchase.objects.create(
        school_id=package.school_id,
        package=package,
        channel=channel,
        amount=price.amount,
        promotion=promotion,
        title=new_payment_title(package.school_id),
        payer=payer if payer is not None else (actor if viewer.is_parent else None),
        created_by=actor,
    )
    purchase.students.set(students)
    _record_purchase(actor, purchase, students)
    return purchase


def last_activation(student: Student) -> Purchase | None:
    """The student's latest activated package purchase (what an offer's window counts
    from)."""
    return (
        Purchase.objects.filter(students=student, package__isnull=False, activated_on__isnull=False)
        .exclude(status=Purchase.Status.REFUNDED)
        .order_by("-activated_on", "-id")
        .first()
    )


@transaction.atomic
def offer_purchase_create(
    *, actor, offer: Offer, student: Student, channel: str, day: datetime.date, payer=None
) -> Purchase:
    """A pending purchase of an add-on ``offer`` for one child, within the offer's window
    after the child's activation (``pricing.offer_quote``)."""
    viewer = get_viewer(actor)
    if student.school_id != offer.school_id or not _may_buy_for(
        viewer, offer.school_id, {student.pk}
    ):
        raise Http404
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how to pay.")})
    if offer.entitlement in entitlements.FREE_BY_LAW and school_rules(offer.school_id).statutory:
        # An offer made under the 2012 model, after the school went back to the statutory
        # one (or any public school): parents see this free of charge by law (L-05).
        raise ValidationError(
            {
                "offer": _(
                    "Parents see %(what)s free of charge by law (L-05), so it cannot be sold "
                    "as an add-on."
                )
                % {"what": entitlements.label(offer.entitlement)}
            }
        )
    activation = last_activation(student)
    if activation is None:
        raise ValidationError(
            {
                "offer": _("%(offer)s is offered after the activation of an extended plan.")
                % {"offer": offer.name}
            }
        )
    try:
        price = pricing.offer_quote(
            offer,
            activated=activation.activated_on,
            day=day,
            vat_rate=vat_rate_of(offer.school_id),
        )
    except pricing.NotPayable as exc:
        raise ValidationError({"offer": str(exc)}) from exc
    purchase = Purchase.objects.create(
        school_id=offer.school_id,
        offer=offer,
        channel=channel,
        amount=price.amount,
        title=new_payment_title(offer.school_id),
        payer=payer if payer is not None else (actor if viewer.is_parent else None),
        created_by=actor,
    )
    purchase.students.set([student])
    _record_purchase(actor, purchase, [student])
    return purchase


def _only_student(purchase: Purchase) -> int | None:
    ids = [student.pk for student in purchase.students.all()]
    return ids[0] if len(ids) == 1 else None


def _existing_payment(school_id: int, channel: str, external_ref: str) -> Payment | None:
    payment = Payment.objects.filter(
        school_id=school_id, channel=channel, external_ref=external_ref
    ).first()
    if payment is not None:
        payment.was_new = False
    return payment


def _create_payment(actor, purchase: Purchase, **fields) -> Payment:
    if not fields["external_ref"]:
        raise ValidationError({"external_ref": _("A payment needs its reference.")})
    if fields["channel"] not in Channel.values:
        raise ValidationError({"channel": _("Choose how it was paid.")})
    # The school's row is the lock of its receipt numbers (one payment at a time).
    School.objects.select_for_update().filter(pk=purchase.school_id).values_list("pk").first()
    payment = Payment.objects.create(
        school_id=purchase.school_id,
        purchase=purchase,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        **receipt_fields(purchase.school_id, fields["received_on"]),
        **fields,
    )
    payment.was_new = True
    audit.record_create(actor=actor, instance=payment, student_id=_only_student(purchase))
    return payment


def paid_total(purchase: Purchase) -> Decimal:
    return purchase.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@transaction.atomic
def payment_record(
    *,
    actor,
    purchase: Purchase,
    channel: str,
    amount: Decimal,
    external_ref: str,
    received_on: datetime.date,
    details: dict | None = None,
) -> Payment:
    """Record money received for ``purchase``. Idempotent on (channel, external_ref): a
    repeat returns the payment recorded first (``was_new`` False) and changes nothing.
    When the payments reach the purchase's amount, a pending purchase becomes paid and
    is activated from ``received_on``, once. A payment of a cancelled purchase is kept
    (the money came) and activates nothing."""
    _require_office_or_system(actor, purchase.school_id)
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    existing = _existing_payment(purchase.school_id, channel, external_ref)
    if existing is not None:
        return existing
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("A payment is more than zero.")})
    payment = _create_payment(
        actor,
        purchase,
        channel=channel,
        amount=amount,
        external_ref=external_ref,
        received_on=received_on,
        details=details or {},
    )
    if purchase.status == Purchase.Status.PENDING and paid_total(purchase) >= purchase.amount:
        before = audit.snapshot(purchase, fields=STATUS_FIELDS)
        purchase.status = Purchase.Status.PAID
        purchase.paid_at = timezone.now()
        purchase.save(update_fields=["status", "paid_at"])
        audit.record_update(
            actor=actor, instance=purchase, before=before, student_id=_only_student(purchase)
        )
        purchase_activate(actor=actor, purchase=purchase, day=received_on)
    return payment


def _what_it_grants(purchase: Purchase) -> tuple[object, list[str], int]:
    if purchase.package_id:
        plan = purchase.package.plan
        return plan, list(plan.entitlements), plan.validity_months
    return None, [purchase.offer.entitlement], purchase.offer.validity_months


def _start_for(student_id: int, plan, granted: list[str], day: datetime.date) -> datetime.date:
    """A renewal paid before the access it renews ends starts the day after it."""
    current = Access.objects.filter(student_id=student_id, ends__gte=day, starts__lte=day)
    current = current.filter(plan=plan) if plan is not None else current.filter(plan=None)
    ends = [a.ends for a in current if set(granted) <= set(a.entitlements)]
    return max(ends) + datetime.timedelta(days=1) if ends else day


@transaction.atomic
def purchase_activate(*, actor, purchase: Purchase, day: datetime.date) -> list[Access]:
    """Give each child of a paid purchase its access, from ``day`` (or from the day after
    the same access it renews ends) for the plan's months (``pricing.access_ends``), and
    switch the family's SMS on when the plan includes SMS info (``sms.sms_open``).
    Never twice: an activated purchase returns its accesses."""
    _require_office_or_system(actor, purchase.school_id)
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.activated_on is not None:
        return list(purchase.accesses.all())
    if purchase.status != Purchase.Status.PAID:
        raise ValidationError({"status": _("Only a paid purchase is activated.")})
    plan, granted, months = _what_it_grants(purchase)
    accesses = []
    for student in purchase.students.order_by("pk"):
        starts = _start_for(student.pk, plan, granted, day)
        access = Access.objects.create(
            student=student,
            purchase=purchase,
            plan=plan,
            entitlements=granted,
            starts=starts,
            ends=pricing.access_ends(starts, months),
        )
        audit.record_create(
            actor=actor, instance=access, school_id=purchase.school_id, student_id=student.pk
        )
        accesses.append(access)
    before = audit.snapshot(purchase, fields=STATUS_FIELDS)
    purchase.activated_on = day
    purchase.save(update_fields=["activated_on"])
    audit.record_update(
        actor=actor, instance=purchase, before=before, student_id=_only_student(purchase)
    )
    # the family's SMS info follows the plan (the switch the office and the family see)
    sms.sms_open(actor=actor, school_id=purchase.school_id, accesses=accesses)
    return accesses


def _end_accesses(actor, purchase: Purchase, day: datetime.date) -> None:
    last = day - datetime.timedelta(days=1)
    for access in purchase.accesses.filter(ends__gt=last):
        before = audit.snapshot(access, fields=["ends"])
        access.ends = last
        access.save(update_fields=["ends"])
        audit.record_update(
            actor=actor,
            instance=access,
            before=before,
            school_id=purchase.school_id,
            student_id=access.student_id,
        )


@transaction.atomic
def refund_record(
    *,
    actor,
    purchase: Purchase,
    amount: Decimal,
    external_ref: str,
    received_on: datetime.date,
    channel: str | None = None,
    details: dict | None = None,
) -> Payment:
    """Record money returned to the family (``amount`` positive; stored negative).
    Idempotent on (channel, external_ref). When nothing is left paid, the purchase is
    refunded, its accesses end the day before ``received_on`` and the family's SMS goes
    off where nothing else grants it (``sms.sms_close``)."""
    _require_office_or_system(actor, purchase.school_id)
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    channel = channel or purchase.channel
    existing = _existing_payment(purchase.school_id, channel, external_ref)
    if existing is not None:
        return existing
    amount = Decimal(amount)
    if amount <= 0 or amount > paid_total(purchase):
        raise ValidationError(
            {"amount": _("A refund is more than zero and at most what was paid.")}
        )
    payment = _create_payment(
        actor,
        purchase,
        channel=channel,
        amount=-amount,
        external_ref=external_ref,
        received_on=received_on,
        details=details or {},
    )
    if paid_total(purchase) <= 0:
        before = audit.snapshot(purchase, fields=STATUS_FIELDS)
        purchase.status = Purchase.Status.REFUNDED
        purchase.save(update_fields=["status"])
        audit.record_update(
            actor=actor, instance=purchase, before=before, student_id=_only_student(purchase)
        )
        _end_accesses(actor, purchase, received_on)
        sms.sms_close(
            actor=actor,
            school_id=purchase.school_id,
            student_ids=[a.student_id for a in purchase.accesses.all()],
            day=received_on,
        )
    return payment


@transaction.atomic
def purchase_cancel(*, actor, purchase: Purchase) -> Purchase:
    """Cancel a purchase not paid yet (a family changing its mind, a list line
    withdrawn). A paid one is refunded instead (``refund_record``)."""
    viewer = get_viewer(actor)
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    family = {student.pk for student in purchase.students.all()}
    allowed = _office(viewer, purchase.school_id) or (
        viewer.school_id == purchase.school_id
        and (purchase.payer_id == actor.pk or (family and family <= viewer.child_ids))
    )
    if not allowed:
        raise Http404
    if purchase.status != Purchase.Status.PENDING:
        raise ValidationError({"status": _("Only a purchase waiting for payment is cancelled.")})
    before = audit.snapshot(purchase, fields=STATUS_FIELDS)
    purchase.status = Purchase.Status.CANCELLED
    purchase.save(update_fields=["status"])
    audit.record_update(
        actor=actor, instance=purchase, before=before, student_id=_only_student(purchase)
    )
    return purchase
