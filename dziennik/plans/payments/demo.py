"""Demo payments: the school's bank account for the payment slips, and a bank statement
the office (``sekretariat``) imported, whose lines without a payment title wait in the
review queue. Written as rows (see ``plans.demo``: a demo writes no history)."""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING

from .. import statements, titles
from ..models import BankAccount, Purchase, Statement, StatementLine
from ..slip import clean_iban
from .bank import _judge

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

IBAN = "PL61109010140000071219812874"


def _statement_rows(day: datetime.date) -> bytes:
    rows = [
        "Data księgowania;Tytuł;Nadawca/Odbiorca;Numer konta;Kwota",
        f"{day:%Y-%m-%d};Opłata za dziennik Kasia 4b;Jan Kowalski;PL2711402004000030020135;22,00",
        f"{day:%Y-%m-%d};Składka na radę rodziców;Ewa Nowak;PL10105000997603123456789123;50,00",
        f"{day:%Y-%m-%d};Opłata za wyciąg;Bank;;-5,00",
    ]
    return ("\n".join(rows) + "\n").encode()


def populate(ctx: DemoContext) -> None:
    office = ctx.fixed_users.get("sekretariat")
    if office is None:
        return
    BankAccount.objects.create(
        school=ctx.school,
        holder=ctx.school.name[:140],
        address="ul. Szkolna 1, 00-001 Warszawa",
        iban=clean_iban(IBAN),
    )
    day = ctx.today - datetime.timedelta(days=3)
    data = _statement_rows(day)
    lines = statements.parse(data, "csv")
    statement = Statement.objects.create(
        school=ctx.school,
        name=f"wyciag-{day:%Y-%m-%d}.csv",
        format="csv",
        digest=hashlib.sha256(data).hexdigest(),
        imported_by=office,
    )
    purchases = {p.title: p for p in Purchase.objects.filter(school=ctx.school)}
    rows = []
    for line in lines:
        outcome, reason, purchase = _judge(line, titles.find_titles(line.title), purchases, set())
        rows.append(
            StatementLine(
                school=ctx.school,
                statement=statement,
                ref=line.ref,
                booked_on=line.booked_on,
                amount=line.amount,
                title=line.title[:500],
                counterparty=line.counterparty[:200],
                account=line.account[:34],
                outcome=outcome,
                reason=reason,
                purchase=purchase,
            )
        )
    StatementLine.objects.bulk_create(rows)
    counts = {outcome: 0 for outcome in StatementLine.Outcome.values}
    for row in rows:
        counts[row.outcome] += 1
    statement.counts = {**counts, "lines": len(lines), "already_imported": 0}
    statement.save(update_fields=["counts"])
