"""Reads of payments, each for a viewer: missing and forbidden are the same 404."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from dziennik.schools.models import Student
from dziennik.schools.viewer import Viewer

from ..lookups import one_of
from ..models import BankAccount, OnlineOrder, Package, Purchase, Statement, StatementLine
from . import permissions

STUDENTS = Prefetch("students", queryset=Student.objects.only("id", "first_name", "last_name"))


def purchase_for(viewer: Viewer, purchase_id: int) -> Purchase:
    """A purchase the viewer's family made (or any of the school's, for the office)."""
    purchase = (
        Purchase.objects.select_related("package__plan", "offer", "payer")
        .prefetch_related(STUDENTS)
        .filter(pk=purchase_id, school_id=viewer.school_id)
        .first()
    )
    if purchase is None or not permissions.sees_purchase(
        viewer, purchase, {student.pk for student in purchase.students.all()}
    ):
        raise Http404
    return purchase


def latest_order(purchase: Purchase) -> OnlineOrder | None:
    return purchase.orders.order_by("-created_at", "-id").first()


def online_packages(viewer: Viewer) -> list[Package]:
    """The packages a family may buy, for the start form (the channel is checked again
    by ``purchase_create``)."""
    return list(
        Package.objects.filter(school_id=viewer.school_id, plan__is_free=False)
        .select_related("plan")
        .order_by("plan__name", "kind")
    )


def bank_account_of(school_id: int) -> BankAccount | None:
    return BankAccount.objects.filter(school_id=school_id).first()


def _office(viewer: Viewer) -> int:
    if not permissions.manages_payments(viewer):
        raise Http404
    return viewer.school_id


def statements_of(viewer: Viewer, *, limit: int = 50) -> list[Statement]:
    return list(
        Statement.objects.filter(school_id=_office(viewer))
        .select_related("imported_by")
        .order_by("-imported_at", "-id")[:limit]
    )


def review_queue(viewer: Viewer, *, limit: int = 200) -> list[StatementLine]:
    """The statement lines waiting for the office's decision, oldest first."""
    return list(
        StatementLine.objects.filter(
            school_id=_office(viewer), outcome=StatementLine.Outcome.REVIEW
        )
        .select_related("purchase", "statement")
        .order_by("booked_on", "id")[:limit]
    )


def review_line_for(viewer: Viewer, line_id: int) -> StatementLine:
    return one_of(StatementLine.objects, pk=line_id, school_id=_office(viewer))


def decided_lines(viewer: Viewer, *, limit: int = 50) -> list[StatementLine]:
    """The office's latest decisions (the history of the queue)."""
    return list(
        StatementLine.objects.filter(
            school_id=_office(viewer),
            outcome__in=[StatementLine.Outcome.ASSIGNED, StatementLine.Outcome.DISMISSED],
        )
        .select_related("purchase", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def orders_of(viewer: Viewer, *, limit: int = 100) -> list[OnlineOrder]:
    return list(
        OnlineOrder.objects.filter(school_id=_office(viewer))
        .select_related("purchase")
        .order_by("-created_at", "-id")[:limit]
    )


def order_for(viewer: Viewer, order_id: int) -> OnlineOrder:
    orders = OnlineOrder.objects.select_related("purchase")
    return one_of(orders, pk=order_id, school_id=_office(viewer))


def waiting_purchases(viewer: Viewer, *, limit: int = 20) -> list[Purchase]:
    """The viewer's own purchases waiting for payment (to pay online again, or to print
    the slip again)."""
    return list(
        Purchase.objects.filter(
            school_id=viewer.school_id, payer_id=viewer.user_id, status=Purchase.Status.PENDING
        )
        .select_related("package__plan", "offer")
        .order_by("-created_at", "-id")[:limit]
    )
