"""Reads for the plans' screens, viewer-aware: the family's plan page and receipts, the
activation lists, the office's revenue report. Each list is a fixed number of queries
(pinned in ``tests/test_views.py``)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q
from django.http import Http404

from dziennik.schools.models import Enrolment, Guardian, Guardianship, SchoolClass, Student
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import Viewer

from . import entitlements, pricing
from .lookups import one_of
from .models import (
    Access,
    ActivationLine,
    ActivationList,
    Channel,
    Package,
    Payment,
    PlanSettings,
    Purchase,
)
from .selectors import _free_plan, school_rules
from .services.purchases import vat_rate_of
from .slip import amount_in_words


def family_student_ids(viewer: Viewer) -> set[int]:
    ids = set(viewer.child_ids)
    if viewer.student_id:
        ids.add(viewer.student_id)
    return ids


@dataclass
class ChildPlan:
    student: Student
    includes: list[str]  # labels of what the accounts may use today
    accesses: list[Access] = field(default_factory=list)  # current and future


@dataclass(frozen=True)
class PriceRow:
    package: Package
    channel: str
    channel_label: str
    amount: Decimal
    promotion: str


def family_plan(viewer: Viewer, day: datetime.date) -> list[ChildPlan]:
    """Each child of the family (or the student themself): what their accounts include
    today and the paid accesses, current and to come. 404 for anyone but a family."""
    ids = family_student_ids(viewer)
    if not ids:
        raise Http404
    rules = school_rules(viewer.school_id)
    base = set(_free_plan(viewer.school_id))
    if rules.statutory:
        base |= entitlements.FREE_BY_LAW
    accesses = Access.objects.filter(ends__gte=day).select_related("plan").order_by("starts", "pk")
    students = (
        Student.objects.filter(pk__in=ids, school_id=viewer.school_id)
        .prefetch_related(Prefetch("plan_accesses", queryset=accesses, to_attr="open_accesses"))
        .order_by("first_name", "pk")
    )
    rows = []
    for student in students:
        codes = set(base)
        for access in student.open_accesses:
            if access.active_on(day):
                codes |= set(access.entitlements)
        ordered = [code for code, _label in entitlements.CHOICES if code in codes]
        rows.append(
            ChildPlan(
                student=student,
                includes=[entitlements.label(code) for code in ordered],
                accesses=student.open_accesses,
            )
        )
    return rows


def price_list(viewer: Viewer, day: datetime.date) -> list[PriceRow]:
    """Today's prices of the school's packages, per channel (promotions applied)."""
    packages = (
        Package.objects.filter(school_id=viewer.school_id)
        .select_related("plan")
        .prefetch_related("promotions")
        .order_by("plan__name", "kind")
    )
    vat = vat_rate_of(viewer.school_id)
    rows = []
    for package in packages:
        for channel in Channel:
            if channel not in package.channels:
                continue
            quote = pricing.quote(package, channel=channel, day=day, vat_rate=vat)
            rows.append(
                PriceRow(package, channel.value, str(channel.label), quote.amount, quote.promotion)
            )
    return rows


def family_payments(viewer: Viewer) -> list[Payment]:
    """The payments and refunds of the family's purchases, newest first."""
    ids = family_student_ids(viewer)
    if not ids:
        raise Http404
    covered = Purchase.objects.filter(school_id=viewer.school_id, students__in=ids).values("pk")
    return list(
        Payment.objects.filter(purchase__in=covered)
        .select_related("purchase__package__plan", "purchase__offer")
        .order_by("-received_on", "-pk")
    )


def receipt_for(viewer: Viewer, payment_id: int) -> Payment:
    """A payment's receipt: for the family it covers and the school's office; else 404."""
    payment = (
        Payment.objects.filter(pk=payment_id, school_id=viewer.school_id)
        .select_related(
            "purchase__package__plan",
            "purchase__offer",
            "purchase__payer",
            "purchase__activation_line__activation_list__created_by",
            "purchase__activation_line__activation_list__school_class__class_teacher",
            "school",
        )
        .prefetch_related("purchase__students")
        .first()
    )
    if payment is None:
        raise Http404
    if viewer.is_school_wide:
        return payment
    covered = {student.pk for student in payment.purchase.students.all()}
    if not covered & family_student_ids(viewer):
        raise Http404
    return payment


@dataclass(frozen=True)
class Receipt:
    """What a receipt (*potwierdzenie wpłaty*, or of a refund) says, on the page and in
    the PDF alike."""

    payment: Payment
    number: str
    school_name: str
    school_address: str
    tax_id: str
    regon: str
    payer: str
    collected_by: str  # cash on an activation list: the class teacher who collected it
    children: list[str]
    item: str
    amount: Decimal  # the money that moved (positive, a refund too)
    amount_words: str
    vat_exempt: bool
    vat_rate: Decimal | None
    net: Decimal
    vat: Decimal
    refunds: list[Payment]  # the purchase's refunds (on the payment's receipt)
    refunded: Decimal  # their sum, positive

    @property
    def is_refund(self) -> bool:
        return self.payment.is_refund


def receipt_number(payment: Payment) -> str:
    """The printed number: per school and calendar year of receipt, in the order
    payments were recorded (``1/2027``). Stable: it never changes once recorded."""
    return payment.receipt_label


def _activation_list(purchase: Purchase) -> ActivationList | None:
    """The activation list a purchase was made from (cash at school), or None."""
    try:
        return purchase.activation_line.activation_list
    except ObjectDoesNotExist:
        return None


def _guardian_names(student_ids: list[int]) -> str:
    """The parents of the children covered (their guardians with access: a parent whose
    authority a court limited is no payer of the family's register), by name: one query."""
    names = (
        Guardian.objects.filter(
            guardianships__student_id__in=student_ids,
            guardianships__access=Guardianship.Access.FULL,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
        .values_list("first_name", "last_name")
    )
    return ", ".join(f"{first} {last}" for first, last in names)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def receipt(viewer: Viewer, payment_id: int) -> Receipt:
    """The receipt of one payment: for the family it covers and the school's office;
    else 404 (``receipt_for``). Three queries and the children's (one more for cash on
    an activation list).

    The payer is the account that bought it. Cash on an activation list has none: the
    list's line names the child, not which parent paid, so the receipt names the
    family's parents (the guardians of the children covered) and the class teacher who
    collected the money."""
    payment = receipt_for(viewer, payment_id)
    purchase = payment.purchase
    school = payment.school
    settings = PlanSettings.objects.filter(school_id=school.pk).first()
    refunds = list(purchase.payments.filter(amount__lt=0).order_by("received_on", "pk"))
    amount = abs(payment.amount)
    rate = payment.vat_rate
    split = pricing.split_vat(amount, rate if rate is not None else Decimal("0"))
    payer, collected_by = _person(purchase.payer), ""
    activation_list = _activation_list(purchase)
    if activation_list is not None and not payment.is_refund:
        teacher = activation_list.created_by or activation_list.school_class.class_teacher
        collected_by = _person(teacher) or "–"
        if not payer:
            payer = _guardian_names([student.pk for student in purchase.students.all()])
    return Receipt(
        payment=payment,
        number=receipt_number(payment),
        school_name=school.name,
        school_address=", ".join(part for part in (school.address, school.city) if part),
        tax_id=settings.tax_id if settings else "",
        regon=settings.regon if settings else "",
        payer=payer,
        collected_by=collected_by,
        children=[student.full_name for student in purchase.students.all()],
        item=str(purchase.item),
        amount=amount,
        amount_words=amount_in_words(amount),
        vat_exempt=rate is None,
        vat_rate=rate,
        net=split.net,
        vat=split.vat,
        refunds=refunds,
        refunded=-sum((refund.amount for refund in refunds), start=Decimal("0.00")),
    )


# --- activation lists -----------------------------------------------------------------------


def list_queryset(viewer: Viewer):
    """The lists the viewer may open: the office every list of the school, a class
    teacher their classes' lists."""
    lists = ActivationList.objects.filter(school_id=viewer.school_id)
    if viewer.is_school_wide:
        return lists
    if viewer.led_class_ids:
        return lists.filter(school_class_id__in=viewer.led_class_ids)
    return lists.none()


def activation_lists(viewer: Viewer) -> list[ActivationList]:
    if not (viewer.is_school_wide or viewer.led_class_ids):
        raise Http404
    return list(
        list_queryset(viewer)
        .select_related("school_class", "created_by")
        .order_by("status", "-collected_on", "-pk")
    )


def led_classes(viewer: Viewer) -> list[SchoolClass]:
    return list(SchoolClass.objects.filter(pk__in=viewer.led_class_ids).order_by("name"))


def get_activation_list_for(viewer: Viewer, list_id: int) -> ActivationList:
    return one_of(list_queryset(viewer).select_related("school_class"), pk=list_id)


def list_lines(activation_list: ActivationList) -> list[ActivationLine]:
    return list(
        activation_list.lines.select_related("student", "package__plan", "purchase").order_by(
            "student__last_name", "student__first_name", "pk"
        )
    )


def class_students(activation_list: ActivationList) -> list[Student]:
    return list(
        Student.objects.in_class(activation_list.school_class_id).order_by(
            "last_name", "first_name", "pk"
        )
    )


def school_packages(school_id: int) -> list[Package]:
    return [
        package
        for package in Package.objects.filter(school_id=school_id)
        .select_related("plan")
        .order_by("plan__name", "kind")
        if Channel.SCHOOL in package.channels
    ]


# --- the office's revenue report ------------------------------------------------------------


@dataclass
class Revenue:
    activations: int = 0
    amount: Decimal = Decimal("0.00")


@dataclass
class RevenueReport:
    by_class: dict[str, Revenue]
    by_channel: dict[str, Revenue]
    by_month: dict[str, Revenue]
    total: Revenue
    rows: list[dict]


def require_office(viewer: Viewer) -> None:
    """The report is the school office's (principal, deputy, secretary); else 404."""
    if not viewer.is_school_wide:
        raise Http404


def school_year_period(viewer: Viewer, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The report's default period: the school year ``day`` falls in (the school's row,
    else 1 September to 31 August)."""
    year = current_school_year(viewer.school_id, day)
    if year is not None:
        return year.start_date, year.end_date
    start = day.year if day.month >= 9 else day.year - 1
    return datetime.date(start, 9, 1), datetime.date(start + 1, 8, 31)


def revenue(viewer: Viewer, date_from: datetime.date, date_to: datetime.date) -> RevenueReport:
    """The school's payments received from ``date_from`` to ``date_to`` (both days
    counted; refunds subtract), and the activations among them, by class, channel and
    month. The office only."""
    require_office(viewer)
    payments = list(
        Payment.objects.filter(
            school_id=viewer.school_id, received_on__gte=date_from, received_on__lte=date_to
        )
        .select_related("purchase")
        .prefetch_related("purchase__students")
        .order_by("received_on", "pk")
    )
    student_ids = {s.pk for p in payments for s in p.purchase.students.all()}
    classes = dict(
        Enrolment.objects.filter(student_id__in=student_ids, end_date__isnull=True)
        .filter(Q(school_class__school_id=viewer.school_id))
        .values_list("student_id", "school_class__name")
    )
    report = RevenueReport(
        defaultdict(Revenue), defaultdict(Revenue), defaultdict(Revenue), Revenue(), []
    )
    counted: set[int] = set()
    for payment in payments:
        students = sorted(payment.purchase.students.all(), key=lambda s: s.pk)
        class_name = classes.get(students[0].pk, "–") if students else "–"
        month = f"{payment.received_on:%Y-%m}"
        activation = payment.amount > 0 and payment.purchase_id not in counted
        counted.add(payment.purchase_id)
        channel = str(Channel(payment.channel).label)
        for bucket in (
            report.by_class[class_name],
            report.by_channel[channel],
            report.by_month[month],
            report.total,
        ):
            bucket.amount += payment.amount
            bucket.activations += 1 if activation else 0
        report.rows.append(
            {
                "date": payment.received_on,
                "class": class_name,
                "channel": channel,
                "title": payment.purchase.title,
                "amount": payment.amount,
            }
        )
    # plain dictionaries: a template's ``.items`` must not create an "items" bucket
    report.by_class = dict(sorted(report.by_class.items()))
    report.by_channel = dict(report.by_channel)
    report.by_month = dict(sorted(report.by_month.items()))
    return report
