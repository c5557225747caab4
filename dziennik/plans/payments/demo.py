"""Demo payments: the school's bank account (set by the principal, ``dyrektor``) for the
payment slips, and a bank statement the office (``sekretariat``) imported, whose lines
without a payment title wait in the review queue."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from . import bank

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

IBAN = "PL61109010140000071219812874"


def populate(ctx: DemoContext) -> None:
    principal = ctx.fixed_users.get("dyrektor")
    office = ctx.fixed_users.get("sekretariat")
    if principal is None or office is None:
        return
    bank.bank_account_update(
        actor=principal,
        holder=ctx.school.name[:140],
        address="ul. Szkolna 1, 00-001 Warszawa",
        iban=IBAN,
    )
    day = ctx.today - datetime.timedelta(days=3)
    rows = [
        "Data księgowania;Tytuł;Nadawca/Odbiorca;Numer konta;Kwota",
        f"{day:%Y-%m-%d};Opłata za dziennik Kasia 4b;Jan Kowalski;PL2711402004000030020135;22,00",
        f"{day:%Y-%m-%d};Składka na radę rodziców;Ewa Nowak;PL10105000997603123456789123;50,00",
        f"{day:%Y-%m-%d};Opłata za wyciąg;Bank;;-5,00",
    ]
    bank.statement_import(
        actor=office,
        name=f"wyciag-{day:%Y-%m-%d}.csv",
        data=("\n".join(rows) + "\n").encode(),
        fmt="csv",
    )
