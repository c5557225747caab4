"""Paying online: a purchase, an order at the operator, the parent sent to pay there,
and the operator's notifications (or our status check) that record the payment.

The operator is called outside our database transactions: when it does not answer in
time (``OperatorTimeout``) the purchase stays waiting for payment and the parent may try
again; nothing is lost. A notification is verified before anything is written. A
payment is recorded only for ``COMPLETED``, under the operator's order id, so repeated
notifications find it (``payment_record`` is idempotent); an order that is completed or
cancelled does not change again (a ``PENDING`` arriving late changes nothing).
"""

from __future__ import annotations

import datetime
import json
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.schools.viewer import get_viewer

from .. import titles
from ..models import Channel, OnlineOrder, Purchase
from ..operators import operator_for
from ..operators.base import Notification, OperatorError, OrderRequest, Status
from ..services import paid_total, payment_record, purchase_create, refund_record
from . import permissions

GROSZE = Decimal("100")


def _check_sees(actor, purchase: Purchase) -> None:
    student_ids = {student.pk for student in purchase.students.all()}
    if not permissions.sees_purchase(get_viewer(actor), purchase, student_ids):
        raise Http404


def online_payment_start(*, actor, package, students, day: datetime.date) -> Purchase:
    """A purchase to be paid online (``purchase_create`` refuses a package that may not
    be paid online); its order is made by ``online_order_create``."""
    return purchase_create(
        actor=actor, package=package, students=students, channel=Channel.ONLINE, day=day
    )


def online_order_create(
    *, actor, purchase: Purchase, notify_url: str, continue_url: str, customer_ip: str
) -> OnlineOrder:
    """An order at the operator for a purchase waiting for payment; the parent goes to
    its ``redirect_uri``. ``OperatorError`` (``OperatorTimeout``) when the operator
    refuses or does not answer: nothing is written, the purchase still waits."""
    _check_sees(actor, purchase)
    if purchase.status != Purchase.Status.PENDING or purchase.channel != Channel.ONLINE:
        raise ValidationError(_("This purchase is not waiting for an online payment."))
    operator = operator_for(purchase.school_id)
    # Unique at the operator; a retry after a timeout gets a new one (the lost order, if
    # the operator made it, is still found by its title when it notifies us).
    ext_order_id = f"{purchase.title}-{secrets.token_hex(3).upper()}"
    created = operator.create_order(
        OrderRequest(
            ext_order_id=ext_order_id,
            amount=int(purchase.amount * GROSZE),
            description=_("Register access %(title)s") % {"title": purchase.title},
            notify_url=notify_url,
            continue_url=continue_url,
            customer_ip=customer_ip,
            buyer_email=getattr(actor, "email", "") or "",
        )
    )
    with transaction.atomic():
        order = OnlineOrder.objects.create(
            school_id=purchase.school_id,
            purchase=purchase,
            operator=operator.name,
            order_id=created.order_id,
            ext_order_id=ext_order_id,
            amount=purchase.amount,
            redirect_uri=created.redirect_uri,
        )
        audit.record_create(actor=actor, instance=order)
    return order


def _order_for(operator_name: str, notification: Notification) -> OnlineOrder | None:
    order = (
        OnlineOrder.objects.select_for_update()
        .filter(operator=operator_name, order_id=notification.order_id)
        .first()
    )
    if order is not None:
        return order
    # An order we never heard back about (our request timed out after the operator
    # made it): found by the payment title in its extOrderId.
    title = notification.ext_order_id.rsplit("-", 1)[0]
    if titles.parse_title(title) != title:
        return None
    purchase = Purchase.objects.filter(school_id=titles.school_of(title), title=title).first()
    if purchase is None:
        return None
    order = OnlineOrder.objects.create(
        school_id=purchase.school_id,
        purchase=purchase,
        operator=operator_name,
        order_id=notification.order_id,
        ext_order_id=notification.ext_order_id,
        amount=Decimal(notification.amount) / GROSZE,
        redirect_uri="",
    )
    audit.record_create(actor=None, instance=order)
    return order


def _apply(order: OnlineOrder, status: Status, amount: int, details: dict) -> OnlineOrder:
    """Move ``order`` (locked) to ``status``, the operator's word (a verified
    notification or our own status request). Final states do not change."""
    if order.status in OnlineOrder.FINAL or order.status == status:
        return order
    before = audit.snapshot(order, fields=["status"])
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    audit.record_update(actor=None, instance=order, before=before)
    purchase = order.purchase
    if status == Status.COMPLETED:
        payment_record(
            actor=None,
            purchase=purchase,
            channel=Channel.ONLINE,
            amount=Decimal(amount) / GROSZE,
            external_ref=order.order_id,
            received_on=timezone.localdate(),
            details={"operator": order.operator, **details},
        )
    elif status == Status.CANCELED and purchase.status == Purchase.Status.PENDING:
        live = purchase.orders.exclude(pk=order.pk).exclude(status__in=OnlineOrder.FINAL)
        if not live.exists():
            _cancel_abandoned(purchase)
    return order


def _cancel_abandoned(purchase: Purchase) -> None:
    """The operator cancelled the only order of a purchase (the parent abandoned the
    payment): the purchase is cancelled too, by the system."""
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.status != Purchase.Status.PENDING:
        return
    before = audit.snapshot(purchase, fields=["status"])
    purchase.status = Purchase.Status.CANCELLED
    purchase.save(update_fields=["status"])
    audit.record_update(actor=None, instance=purchase, before=before)


def _school_of_notification(body: bytes) -> int:
    """The school a notification is about (to choose its credentials), read from its
    extOrderId before the signature is checked; nothing is trusted or written yet."""
    try:
        ext_order_id = json.loads(body)["order"]["extOrderId"]
    except (ValueError, KeyError, TypeError) as exc:
        raise OperatorError("notification without an order") from exc
    title = str(ext_order_id).rsplit("-", 1)[0]
    if titles.parse_title(title) != title:
        raise OperatorError("notification about no order of ours")
    return titles.school_of(title)


def operator_notification_receive(*, body: bytes, headers) -> OnlineOrder | None:
    """A notification from the operator: ``BadSignature`` (nothing written) unless it
    is genuine; then the order moves to its status (once), a completed one records the
    payment (once), an abandoned one cancels the purchase. None: not our order."""
    operator = operator_for(_school_of_notification(body))
    notification = operator.parse_notification(body, headers)
    with transaction.atomic():
        order = _order_for(operator.name, notification)
        if order is None:
            return None
        return _apply(
            order,
            notification.status,
            notification.amount,
            {"payment_id": _property(notification.raw, body)},
        )


def _property(order: dict, body: bytes) -> str:
    try:
        properties = json.loads(body).get("properties") or []
    except ValueError:
        return ""
    return next((p.get("value", "") for p in properties if p.get("name") == "PAYMENT_ID"), "")


def online_order_refresh(*, actor, order: OnlineOrder) -> OnlineOrder:
    """Ask the operator for an order's status (the parent is back before the
    notification came). ``OperatorError`` when it does not answer; nothing changes."""
    _check_sees(actor, order.purchase)
    if order.status in OnlineOrder.FINAL:
        return order
    status = operator_for(order.school_id).order_status(order.order_id)
    with transaction.atomic():
        locked = OnlineOrder.objects.select_for_update().get(pk=order.pk)
        return _apply(locked, status, int(locked.amount * GROSZE), {"checked": True})


def online_refund(*, actor, order: OnlineOrder, amount: Decimal | None = None):
    """The office returns a completed online payment (all of it unless ``amount``)
    through the operator, then records the refund (which ends the accesses when nothing
    is left paid). The refund's id at the operator is stable for a retry after a
    timeout, so the operator does not pay it twice."""
    viewer = get_viewer(actor)
    if not (permissions.manages_payments(viewer) and viewer.school_id == order.school_id):
        raise Http404
    order = OnlineOrder.objects.select_related("purchase").get(pk=order.pk)
    if order.status != OnlineOrder.Status.COMPLETED:
        raise ValidationError(_("Only a paid online order can be refunded."))
    amount = Decimal(amount if amount is not None else order.amount)
    if amount <= 0 or amount > min(order.amount, paid_total(order.purchase)):
        raise ValidationError(_("A refund is more than zero and at most what was paid."))
    refunds = order.purchase.payments.filter(amount__lt=0).count()
    ext_refund_id = f"{order.ext_order_id}-R{refunds + 1}"
    refund = operator_for(order.school_id).refund(
        order.order_id,
        amount=int(amount * GROSZE),
        description=_("Refund %(title)s") % {"title": order.purchase.title},
        ext_refund_id=ext_refund_id,
    )
    return refund_record(
        actor=actor,
        purchase=order.purchase,
        amount=amount,
        external_ref=f"refund:{refund.refund_id}",
        received_on=timezone.localdate(),
        channel=Channel.ONLINE,
        details={"order": order.order_id, "ext_refund_id": ext_refund_id},
    )
