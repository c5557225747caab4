"""Shared set-up of the payment tests: the leaflet's plans, a school account, and a
local operator speaking PayU's protocol."""

from __future__ import annotations

import contextlib
import datetime

from django.utils import timezone

from dziennik.plans.models import BankAccount, Channel
from dziennik.plans.services import leaflet_configuration, purchase_create
from testsupport.payu_server import PayUServer

IBAN = "PL61109010140000071219812874"


def leaflet(world) -> dict:
    return leaflet_configuration(school=world.school, year_start=world.year.start_date.year)


def account(world) -> BankAccount:
    return BankAccount.objects.create(
        school=world.school,
        holder="Szkoła Podstawowa nr 7",
        address="ul. Szkolna 7, 00-950 Warszawa",
        iban=IBAN,
    )


def purchase(world, package, *, channel=Channel.TRANSFER, student=None, actor="own_parent"):
    return purchase_create(
        actor=world.user(actor),
        package=package,
        students=[student or world.student],
        channel=channel,
        day=timezone.localdate(),
    )


@contextlib.contextmanager
def operator(settings, **kwargs):
    with PayUServer(**kwargs) as server:
        settings.PAYMENT_OPERATOR = server.config()
        yield server


def today() -> datetime.date:
    return timezone.localdate()
