"""The POST matrices of the payment pages: who may start a purchase, pay, set the
school's account, import statements, decide review lines and refund; a refused POST
changes nothing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dziennik.plans.models import (
    BankAccount,
    OnlineOrder,
    Payment,
    Purchase,
    Statement,
    StatementLine,
)
from testsupport.url_matrix import (
    FAMILY_PURCHASE,
    PRINCIPAL_PAGE,
    SCHOOL_OFFICE_PAGE,
    Scene,
    expect,
)

from .payments_support import IBAN


def _purchases():
    return sorted(Purchase.objects.values_list("school_id", "payer_id", "channel", "status"))


def test_start_post_matrix(world, matrix):
    scene = Scene(world)
    data = {
        "package": scene.leaflet["single"].pk,
        "students": [world.student.pk],
        "channel": "transfer",
    }
    expected = expect(404, own_parent=302, other_parent=400)
    refused = [role for role in expected if role != "own_parent"]
    matrix.check(
        reverse("payments:start"),
        expected,
        method="post",
        data=data,
        state=_purchases,
        roles=refused,
    )
    assert _purchases() == []
    matrix.check(
        reverse("payments:start"), expected, method="post", data=data, roles=["own_parent"]
    )
    assert _purchases() == [(world.school.pk, world.user("own_parent").pk, "transfer", "pending")]


def test_pay_online_post_matrix(world, matrix):
    scene = Scene(world)
    url = reverse("payments:pay_online", args=[scene.pay_purchase.pk])
    expected = dict(FAMILY_PURCHASE, own_parent=302, principal=302, secretary=302)

    def state():
        return (OnlineOrder.objects.count(), _purchases())

    matrix.check(url, expected, method="post", state=state)
    # A purchase to be paid by transfer gets no online order from anyone.
    assert OnlineOrder.objects.count() == 0


def test_bank_account_post_matrix(world, matrix):
    url = reverse("payments:bank_account")
    data = {"holder": "SP 7", "address": "ul. Szkolna 7", "iban": IBAN}
    expected = dict(PRINCIPAL_PAGE, principal=302, other_principal=302)

    def state():
        return sorted(BankAccount.objects.values_list("school_id", "holder"))

    refused = [r for r in expected if r not in ("principal", "other_principal")]
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    assert state() == []
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    assert state() == [(world.school.pk, "SP 7")]


def test_statements_post_matrix(world, matrix):
    url = reverse("payments:statements")
    expected = dict(SCHOOL_OFFICE_PAGE, principal=302, secretary=302, other_principal=302)

    def data():
        content = "Data księgowania;Tytuł;Kwota\n2026-10-01;czynsz;22,00\n".encode()
        return {"format": "csv", "file": SimpleUploadedFile("w.csv", content)}

    def state():
        return (Statement.objects.count(), StatementLine.objects.count())

    for role in expected:
        if role in ("principal", "secretary", "other_principal"):
            continue
        matrix.check(url, expected, method="post", data=data(), state=state, roles=[role])
    assert state() == (0, 0)
    matrix.check(url, expected, method="post", data=data(), roles=["secretary"])
    assert state() == (1, 1)
    # The same file from the principal: nothing changes.
    matrix.check(url, expected, method="post", data=data(), roles=["principal"])
    assert state() == (1, 1)


def test_review_decide_post_matrix(world, matrix):
    scene = Scene(world)
    line = scene.pay_review_line
    url = reverse("payments:review_decide", args=[line.pk])
    expected = expect(404, principal=302, secretary=302)
    data = {"action": "dismiss", "note": "Zwrócono nadawcy"}

    def state():
        return list(StatementLine.objects.values_list("outcome", "note"))

    refused = [r for r in expected if r not in ("principal", "secretary")]
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    assert state() == [("review", "")]
    matrix.check(url, expected, method="post", data=data, roles=["secretary"])
    assert state() == [("dismissed", "Zwrócono nadawcy")]


def test_order_refund_post_matrix(world, matrix, settings):
    scene = Scene(world)
    order = scene.pay_order
    url = reverse("payments:order_refund", args=[order.pk])
    expected = expect(404, principal=302, secretary=302)

    def state():
        return (Payment.objects.count(), _purchases())

    refused = [r for r in expected if r not in ("principal", "secretary")]
    matrix.check(url, expected, method="post", data={"amount": "1.00"}, state=state, roles=refused)
    # No operator configured: the office is told, nothing is recorded.
    settings.PAYMENT_OPERATOR = {}
    matrix.check(
        url, expected, method="post", data={"amount": "1.00"}, state=state, roles=["secretary"]
    )
    assert Payment.objects.count() == 0
