"""The payment slip: the school's account checked as an IBAN, and a PDF with the
account, the amount and the payment title – for the family and the office only."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from pypdf import PdfReader

from dziennik.core.models import AuditEntry
from dziennik.plans.models import BankAccount
from dziennik.plans.payments import bank
from dziennik.plans.slip import account_digits, amount_in_words, clean_iban

from .payments_support import IBAN, account, leaflet, purchase


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("22.00", "dwadzieścia dwa złote 00/100"),
        ("32.50", "trzydzieści dwa złote 50/100"),
        ("1.00", "jeden złoty 00/100"),
        ("12.00", "dwanaście złotych 00/100"),
        ("1115.05", "tysiąc sto piętnaście złotych 05/100"),
        ("2024.00", "dwa tysiące dwadzieścia cztery złote 00/100"),
    ],
)
def test_the_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_an_account_number_is_checked_as_an_iban():
    assert clean_iban("61 1090 1014 0000 0712 1981 2874") == IBAN
    assert clean_iban("pl61 1090-1014-0000-0712-1981-2874".replace("-", " ")) == IBAN
    assert account_digits(IBAN) == "61 1090 1014 0000 0712 1981 2874"
    for bad in ("62 1090 1014 0000 0712 1981 2874", "PL61", ""):
        with pytest.raises(ValidationError):
            clean_iban(bad)


def test_the_principal_sets_the_account_and_it_is_recorded(world):
    with pytest.raises(Http404):
        bank.bank_account_update(actor=world.user("secretary"), holder="X", address="Y", iban=IBAN)
    with pytest.raises(ValidationError):
        bank.bank_account_update(
            actor=world.user("principal"), holder="SP 7", address="ul. Szkolna 7", iban="PL00 1234"
        )
    assert not BankAccount.objects.exists()
    saved = bank.bank_account_update(
        actor=world.user("principal"),
        holder="SP 7",
        address="ul. Szkolna 7",
        iban="61 1090 1014 0000 0712 1981 2874",
    )
    assert saved.iban == IBAN
    bank.bank_account_update(
        actor=world.user("principal"), holder="SP nr 7", address="ul. Szkolna 7", iban=IBAN
    )
    entries = AuditEntry.objects.filter(content_type__model="bankaccount").order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"holder": ["SP 7", "SP nr 7"]}


def test_the_bank_account_page(world):
    client = world.client("principal")
    bad = client.post(
        reverse("payments:bank_account"),
        {
            "holder": "SP 7",
            "address": "ul. Szkolna 7",
            "iban": "PL61 1090 1014 0000 0712 1981 2875",
        },
    )
    assert bad.status_code == 400
    assert not BankAccount.objects.exists()
    good = client.post(
        reverse("payments:bank_account"),
        {"holder": "SP 7", "address": "ul. Szkolna 7", "iban": "61 1090 1014 0000 0712 1981 2874"},
    )
    assert good.status_code == 302
    assert BankAccount.objects.get().iban == IBAN
    refused = world.client("secretary").post(
        reverse("payments:bank_account"), {"holder": "Z", "address": "Z", "iban": IBAN}
    )
    assert refused.status_code == 404
    assert BankAccount.objects.get().holder == "SP 7"


def test_the_slip_carries_the_account_the_amount_and_the_title(world):
    plans = leaflet(world)
    account(world)
    bought = purchase(world, plans["single"])
    response = world.client("own_parent").get(reverse("payments:slip", args=[bought.pk]))
    assert response.status_code == 200
    text = _pdf_text(response)
    assert "61 1090 1014 0000 0712 1981 2874" in text
    assert "22,00" in text
    assert bought.title in text
    assert "dwadzieścia dwa złote 00/100" in text
    assert "Szkoła Podstawowa nr 7" in text
    assert "Anna Wiśniewska" in text
    assert (
        world.client("secretary").get(reverse("payments:slip", args=[bought.pk])).status_code == 200
    )
    for role in ("other_parent", "teacher_in", "other_principal", "student"):
        assert world.client(role).get(reverse("payments:slip", args=[bought.pk])).status_code == 404


def test_no_slip_before_the_school_gives_its_account(world):
    plans = leaflet(world)
    bought = purchase(world, plans["single"])
    assert (
        world.client("own_parent").get(reverse("payments:slip", args=[bought.pk])).status_code
        == 404
    )
    page = world.client("own_parent").get(reverse("payments:purchase", args=[bought.pk]))
    assert page.status_code == 200
    assert bought.title in page.text
