"""Receipts (*potwierdzenie wpłaty*) as a page and a PDF: the school with its NIP and
REGON, the payer, the children, the package, the amount in figures and words, VAT as
the school configures it ("zw." when exempt), the channel, the day, the payment title,
a number per school that never changes, and the refunds. The family and the office
only."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from dziennik.core.params import MAX_ID
from dziennik.plans import services
from dziennik.plans.models import Channel, Payment, PlanSettings

from .factories import WINTER, leaflet, paid_purchase, sibling

NIP = "1234563218"
REGON = "192598184"


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _settings(world, **fields):
    return services.plan_settings_update(
        actor=world.user("principal"), mode=PlanSettings.Mode.STATUTORY, **fields
    )


def _school_address(world):
    world.school.address = "ul. Szkolna 7"
    world.school.city = "Kraków"
    world.school.save(update_fields=["address", "city"])


def test_the_receipt_pdf_says_who_paid_what_for_whom_with_vat_and_its_number(world):
    plans = leaflet(world)
    _school_address(world)
    _settings(world, tax_id="123-456-32-18", regon=REGON)
    brother = sibling(world)
    purchase = paid_purchase(world, plans["siblings"], [world.student, brother], ref="REF-S")
    payment = purchase.payments.get()
    text = _pdf_text(
        world.client("own_parent").get(reverse("plans:receipt_pdf", args=[payment.pk]))
    )
    assert "Szkoła Podstawowa nr 7" in text
    assert "ul. Szkolna 7, Kraków" in text
    assert f"NIP {NIP}" in text and f"REGON {REGON}" in text
    assert "Anna Wiśniewska" in text  # the payer
    assert "Zofia Wiśniewska" in text and "Jan Wiśniewski" in text
    assert str(purchase.package) in text
    assert "32,00 zł" in text
    assert "trzydzieści dwa złote 00/100" in text
    # 32 zł gross at 23 %: 26,02 net and 5,98 VAT
    assert "23%" in text and "26,02 zł" in text and "5,98 zł" in text
    assert str(Channel.TRANSFER.label) in text
    assert "01.12.2026" in text
    assert purchase.title in text
    assert f"{payment.receipt_number}/2026" in text
    assert "zw." not in text


def test_an_exempt_school_prints_zw_and_the_rate_of_the_day_stays(world):
    plans = leaflet(world)
    _settings(world, vat_exempt=True)
    exempt = paid_purchase(world, plans["single"], ref="EXEMPT").payments.get()
    _settings(world, vat_rate=Decimal("8.00"))
    taxed = paid_purchase(world, plans["single"], ref="TAXED").payments.get()
    assert (exempt.vat_rate, taxed.vat_rate) == (None, Decimal("8.00"))
    _settings(world, vat_rate=Decimal("23.00"))  # a later change leaves both receipts be
    client = world.client("own_parent")
    exempt_text = _pdf_text(client.get(reverse("plans:receipt_pdf", args=[exempt.pk])))
    assert "zw." in exempt_text and "23%" not in exempt_text and "8%" not in exempt_text
    assert "NIP" not in exempt_text  # the school gave none
    taxed_text = _pdf_text(client.get(reverse("plans:receipt_pdf", args=[taxed.pk])))
    assert "8%" in taxed_text and "20,37 zł" in taxed_text and "1,63 zł" in taxed_text
    assert "zw." not in taxed_text


def test_receipt_numbers_are_per_school_in_order_and_stable(world):
    plans = leaflet(world)
    brother = sibling(world)
    first = paid_purchase(world, plans["single"], ref="ONE")
    second = paid_purchase(world, plans["single"], [brother], ref="TWO")
    refund = services.refund_record(
        actor=world.user("secretary"),
        purchase=second,
        amount=Decimal("22.00"),
        external_ref="REFUND-TWO",
        received_on=WINTER,
    )
    numbers = [first.payments.get().receipt_number, second.payments.get(amount__gt=0)]
    assert [numbers[0], numbers[1].receipt_number, refund.receipt_number] == [1, 2, 3]
    # another school counts its own receipts from 1
    assert services.receipt_fields(world.other_school.pk)["receipt_number"] == 1
    # a repeated notification returns the payment with the number it had
    again = services.payment_record(
        actor=None,
        purchase=first,
        channel=Channel.TRANSFER,
        amount=Decimal("22.00"),
        external_ref="ONE",
        received_on=WINTER,
    )
    assert again.receipt_number == 1
    assert sorted(Payment.objects.values_list("receipt_number", flat=True)) == [1, 2, 3]


def test_a_refund_shows_on_the_receipt_and_has_its_own(world):
    plans = leaflet(world)
    purchase = paid_purchase(world, plans["single"], ref="PAID")
    payment = purchase.payments.get()
    refund = services.refund_record(
        actor=world.user("secretary"),
        purchase=purchase,
        amount=Decimal("22.00"),
        external_ref="BACK",
        received_on=WINTER,
    )
    client = world.client("own_parent")
    page = client.get(reverse("plans:receipt", args=[payment.pk])).content.decode()
    assert "Zwroty tego zakupu" in page or "Refunds of this purchase" in page
    text = _pdf_text(client.get(reverse("plans:receipt_pdf", args=[payment.pk])))
    assert "-22,00 zł" in text and f"{refund.receipt_number}" in text
    refund_text = _pdf_text(client.get(reverse("plans:receipt_pdf", args=[refund.pk])))
    assert "zwrot" in refund_text.lower() or "refund" in refund_text.lower()
    assert "22,00 zł" in refund_text and "dwadzieścia dwa złote 00/100" in refund_text


def test_only_the_family_and_the_office_get_a_receipt(world):
    plans = leaflet(world)
    payment = paid_purchase(world, plans["single"], ref="MINE").payments.get()
    for name in ("plans:receipt", "plans:receipt_pdf"):
        url = reverse(name, args=[payment.pk])
        for role in ("own_parent", "student", "secretary", "principal"):
            assert world.client(role).get(url).status_code == 200, (name, role)
        for role in ("other_parent", "teacher_in", "class_teacher", "other_principal"):
            assert world.client(role).get(url).status_code == 404, (name, role)
        beyond = reverse(name, args=[MAX_ID + 1])
        assert world.client("own_parent").get(beyond).status_code == 404


def test_the_nip_and_regon_are_checked(world):
    for fields in ({"tax_id": "123-456-32-19"}, {"regon": "192598185"}):
        with pytest.raises(ValidationError):
            _settings(world, **fields)
    assert not PlanSettings.objects.filter(school=world.school).exists()
    saved = _settings(world, tax_id="123-456-32-18", regon="", vat_exempt=True)
    assert (saved.tax_id, saved.regon, saved.vat_exempt) == (NIP, "", True)
    assert services.vat_rate_of(world.school.pk) == Decimal("0.00")
