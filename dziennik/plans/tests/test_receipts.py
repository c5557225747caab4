"""Receipts (*potwierdzenie wpłaty*) as a page and a PDF: the school with its NIP and
REGON, the payer, the children, the package, the amount in figures and words, VAT as
the school configures it ("zw." when exempt), the channel, the day, the payment title,
a number per school that never changes, and the refunds. The family and the office
only."""

from __future__ import annotations

import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from dziennik.core.params import MAX_ID
from dziennik.plans import services
from dziennik.plans.models import Channel, Payment, PlanSettings
from dziennik.schools.models import Guardianship

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
    assert services.receipt_fields(world.other_school.pk, WINTER)["receipt_number"] == 1
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
    assert "-22,00 zł" in text and f"{refund.receipt_number}/2026" in text
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


NEW_YEAR = datetime.date(2027, 1, 4)
RECEIPT_YEAR_MIGRATION = importlib.import_module("dziennik.plans.migrations.0007_receipt_year")


def test_receipt_numbers_start_again_in_a_new_year_and_the_old_ones_stay(world):
    plans = leaflet(world)
    brother = sibling(world)
    december = [
        paid_purchase(world, plans["single"], ref="DEC-1").payments.get(),
        paid_purchase(world, plans["single"], [brother], ref="DEC-2").payments.get(),
    ]
    january = paid_purchase(world, plans["single"], day=NEW_YEAR, ref="JAN-1").payments.get()
    late = paid_purchase(world, plans["single"], day=WINTER, ref="DEC-3").payments.get()
    rows = Payment.objects.order_by("pk").values_list("receipt_number", "receipt_year")
    # the year of receipt, not of recording: a December payment recorded later is 3/2026
    assert list(rows) == [(1, 2026), (2, 2026), (1, 2027), (3, 2026)]
    assert [p.receipt_label for p in (*december, january, late)] == [
        "1/2026",
        "2/2026",
        "1/2027",
        "3/2026",
    ]
    client = world.client("own_parent")
    page = client.get(reverse("plans:receipt", args=[january.pk])).content.decode()
    assert "1/2027" in page
    response = client.get(reverse("plans:receipt_pdf", args=[january.pk]))
    assert "1/2027" in _pdf_text(response)
    assert "potwierdzenie-1-2027.pdf" in response["Content-Disposition"]
    refund = services.refund_record(
        actor=world.user("secretary"),
        purchase=january.purchase,
        amount=Decimal("22.00"),
        external_ref="JAN-BACK",
        received_on=NEW_YEAR + datetime.timedelta(days=1),
    )
    assert refund.receipt_label == "2/2027"
    # what was given before keeps its number
    assert [p.receipt_label for p in Payment.objects.filter(pk__in=[d.pk for d in december])] == [
        "1/2026",
        "2/2026",
    ]


def test_a_year_numbered_before_the_change_goes_on_from_its_highest_number(world):
    """Before 0007 numbers ran on across years (2026: 1–2, 2027: 3): a new 2027 payment
    takes 4, never a number already printed for that year."""
    plans = leaflet(world)
    first = paid_purchase(world, plans["single"], day=NEW_YEAR, ref="OLD-2027").payments.get()
    Payment.objects.filter(pk=first.pk).update(receipt_number=3)
    second = paid_purchase(world, plans["single"], day=NEW_YEAR, ref="NEW-2027").payments.get()
    assert (second.receipt_number, second.receipt_year) == (4, 2027)


def test_a_number_is_unique_per_school_and_year(world):
    plans = leaflet(world)
    payment = paid_purchase(world, plans["single"], ref="ONLY").payments.get()
    twin = {
        "school": world.school,
        "purchase": payment.purchase,
        "channel": Channel.TRANSFER,
        "amount": Decimal("1.00"),
        "received_on": WINTER,
        "receipt_number": payment.receipt_number,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(external_ref="TWIN", receipt_year=2026, **twin)
    # the same number in another year is another receipt
    other = Payment.objects.create(external_ref="NEXT-YEAR", receipt_year=2027, **twin)
    assert other.receipt_label == "1/2027"


def test_the_migration_gives_existing_receipts_the_year_they_were_printed_with(world):
    plans = leaflet(world)
    dated = {
        "A": WINTER,
        "B": NEW_YEAR,
        "C": datetime.date(2025, 12, 31),
    }
    for ref, day in dated.items():
        paid_purchase(world, plans["single"], day=day, ref=ref)
    # as before 0007: numbers running on across years, no year stored
    for number, pk in enumerate(Payment.objects.order_by("pk").values_list("pk", flat=True)):
        Payment.objects.filter(pk=pk).update(receipt_number=10 + number)
    Payment.objects.update(receipt_year=0)
    numbers = dict(Payment.objects.values_list("external_ref", "receipt_number"))
    RECEIPT_YEAR_MIGRATION.fill_years(apps, None)
    rows = {
        ref: (number, year)
        for ref, number, year in Payment.objects.values_list(
            "external_ref", "receipt_number", "receipt_year"
        )
    }
    assert rows == {ref: (numbers[ref], day.year) for ref, day in dated.items()}


def test_cash_on_an_activation_list_names_the_parents_and_the_class_teacher(world):
    from dziennik.schools.tests import factories as sf

    plans = leaflet(world)
    father = sf.GuardianFactory(school=world.school, first_name="Piotr", last_name="Wiśniewski")
    sf.GuardianshipFactory(guardian=father, student=world.student)
    # a parent whose authority a court limited is not named as the family's payer
    limited = sf.GuardianFactory(school=world.school, first_name="Jan", last_name="Zieliński")
    sf.GuardianshipFactory(
        guardian=limited,
        student=world.student,
        access=Guardianship.Access.COURT_LIMITED,
        court_order_reference="III RC 123/25",
    )
    teacher = world.user("class_teacher")
    activation_list = services.activation_list_create(
        actor=teacher, school_class=world.school_class, collected_on=WINTER
    )
    services.activation_list_save(
        actor=teacher,
        activation_list=activation_list,
        choices={world.student.pk: plans["single"].pk},
    )
    services.activation_list_send(actor=teacher, activation_list=activation_list)
    [purchase] = services.activation_list_confirm(
        actor=world.user("secretary"), activation_list=activation_list, day=WINTER
    )
    payment = purchase.payments.get()
    assert purchase.payer is None  # the list records no parent: the family is named
    for role in ("own_parent", "secretary"):
        client = world.client(role)
        page = client.get(reverse("plans:receipt", args=[payment.pk])).content.decode()
        assert "<td>Anna Wiśniewska, Piotr Wiśniewski</td>" in page
        assert "gotówką w szkole, pobrane przez: Grażyna Wójcik" in page
        text = _pdf_text(client.get(reverse("plans:receipt_pdf", args=[payment.pk])))
        assert "Anna Wiśniewska, Piotr Wiśniewski" in text
        assert "Zieliński" not in page and "Zieliński" not in text
        assert "pobrane przez: Grażyna Wójcik" in " ".join(text.split())
    # a refund of it says how it was refunded, not who collected the cash
    refund = services.refund_record(
        actor=world.user("secretary"),
        purchase=purchase,
        amount=payment.amount,
        external_ref="LIST-BACK",
        received_on=WINTER,
    )
    page = world.client("secretary").get(reverse("plans:receipt", args=[refund.pk]))
    assert "pobrane przez" not in page.content.decode()
    # a purchase with a payer keeps naming the payer only
    own = paid_purchase(world, plans["single"], ref="OWN").payments.get()
    page = world.client("own_parent").get(reverse("plans:receipt", args=[own.pk]))
    assert "<td>Anna Wiśniewska</td>" in page.content.decode()
    assert "pobrane przez" not in page.content.decode()
