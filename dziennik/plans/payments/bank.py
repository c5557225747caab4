"""Paying by transfer or at the post office: the school's account (printed on the slip),
and the bank statements that bring the transfers in.

``statement_import`` reads a statement (``statements.parse``: a bad file raises before
anything is written), skips the lines already taken (by their ``ref``), and matches each
incoming line with a purchase by the payment title in its text and the amount still to
pay: a match records the payment (``payment_record``, under the line's ref) and so
activates the family; anything else waits in the review queue for the office, who
assigns the line to a purchase or dismisses it with a reason. The same file imported
again changes nothing.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.schools.viewer import get_viewer

from .. import statements, titles
from ..lookups import one_of
from ..models import BankAccount, Channel, Purchase, Statement, StatementLine
from ..services import paid_total, payment_record
from ..slip import clean_iban
from . import permissions

Outcome, Reason = StatementLine.Outcome, StatementLine.Reason


@transaction.atomic
def bank_account_update(*, actor, holder: str, address: str, iban: str) -> BankAccount:
    """The principal sets the school's account for transfers (checked as an IBAN)."""
    viewer = get_viewer(actor)
    if not permissions.manages_bank_account(viewer):
        raise Http404
    holder, address = holder.strip(), address.strip()
    if not holder or not address:
        raise ValidationError(_("Give the account holder's name and address."))
    iban = clean_iban(iban)
    account, created = BankAccount.objects.select_for_update().get_or_create(
        school_id=viewer.school_id, defaults={"holder": holder, "address": address, "iban": iban}
    )
    if created:
        audit.record_create(actor=actor, instance=account)
        return account
    before = audit.snapshot(account, fields=["holder", "address", "iban"])
    account.holder, account.address, account.iban = holder, address, iban
    account.save()
    audit.record_update(actor=actor, instance=account, before=before)
    return account


def _office_school(actor) -> int:
    viewer = get_viewer(actor)
    if not permissions.manages_payments(viewer):
        raise Http404
    return viewer.school_id


def _judge(line: statements.Line, found: list[str], purchases: dict, taken: set[int]):
    """(outcome, reason, purchase) for an incoming line."""
    if line.amount <= 0:
        return Outcome.OUTGOING, Reason.NONE, None
    ours = [purchases[title] for title in found if title in purchases]
    if not ours:
        return Outcome.REVIEW, Reason.UNKNOWN_TITLE, None
    if len(ours) > 1:
        return Outcome.REVIEW, Reason.SEVERAL_TITLES, None
    purchase = ours[0]
    if purchase.status == Purchase.Status.PAID or purchase.pk in taken:
        return Outcome.REVIEW, Reason.ALREADY_PAID, purchase
    if purchase.status != Purchase.Status.PENDING:
        return Outcome.REVIEW, Reason.NOT_PENDING, purchase
    if line.amount != purchase.amount - paid_total(purchase):
        return Outcome.REVIEW, Reason.WRONG_AMOUNT, purchase
    return Outcome.MATCHED, Reason.NONE, purchase


@transaction.atomic
def statement_import(*, actor, name: str, data: bytes, fmt: str) -> Statement:
    """Import a bank statement (see the module). The same file again returns the first
    import (``was_new`` False). ``ValidationError`` naming the row for a bad file."""
    school_id = _office_school(actor)
    digest = hashlib.sha256(data).hexdigest()
    earlier = Statement.objects.filter(school_id=school_id, digest=digest).first()
    if earlier is not None:
        earlier.was_new = False
        return earlier
    try:
        lines = statements.parse(data, fmt)
    except statements.StatementError as exc:
        raise ValidationError(str(exc)) from exc
    statement = Statement.objects.create(
        school_id=school_id, name=name[:200], format=fmt, digest=digest, imported_by=actor
    )
    known = set(
        StatementLine.objects.filter(
            school_id=school_id, ref__in=[line.ref for line in lines]
        ).values_list("ref", flat=True)
    )
    fresh = [line for line in lines if line.ref not in known]
    found = {line.ref: titles.find_titles(line.title) for line in fresh}
    wanted = {title for names in found.values() for title in names}
    purchases = {p.title: p for p in Purchase.objects.filter(school_id=school_id, title__in=wanted)}
    rows, taken = [], set()
    for line in fresh:
        outcome, reason, purchase = _judge(line, found[line.ref], purchases, taken)
        payment = None
        if outcome == Outcome.MATCHED:
            payment = payment_record(
                actor=actor,
                purchase=purchase,
                channel=Channel.TRANSFER,
                amount=line.amount,
                external_ref=line.ref,
                received_on=line.booked_on,
                details={"statement": statement.pk, "title": line.title[:200]},
            )
            taken.add(purchase.pk)
        rows.append(
            StatementLine(
                school_id=school_id,
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
                payment=payment,
            )
        )
    StatementLine.objects.bulk_create(rows)
    counts = {outcome: 0 for outcome in Outcome.values}
    for row in rows:
        counts[row.outcome] += 1
    statement.counts = {**counts, "lines": len(lines), "already_imported": len(known)}
    statement.save(update_fields=["counts"])
    audit.record_create(actor=actor, instance=statement)
    statement.was_new = True
    return statement


def _review_line(actor, line_id: int) -> tuple[int, StatementLine]:
    school_id = _office_school(actor)
    line = one_of(StatementLine.objects.select_for_update(), pk=line_id, school_id=school_id)
    if line.outcome != Outcome.REVIEW:
        raise ValidationError(_("This line has already been decided."))
    return school_id, line


_DECISION = ["outcome", "purchase", "payment", "note", "decided_by", "decided_at"]


@transaction.atomic
def statement_line_assign(*, actor, line: StatementLine, title: str, note: str = ""):
    """The office assigns a line of the review queue to the purchase with ``title``:
    the line's money is recorded as that purchase's payment (activating it when it is
    paid in full)."""
    school_id, line = _review_line(actor, line.pk)
    canonical = titles.parse_title(title)
    purchase = (
        Purchase.objects.filter(school_id=school_id, title=canonical).first() if canonical else None
    )
    if purchase is None:
        raise ValidationError(_("No purchase of this school has that payment title."))
    if line.amount <= 0:
        raise ValidationError(_("Outgoing money is no payment."))
    before = audit.snapshot(line, fields=_DECISION)
    line.payment = payment_record(
        actor=actor,
        purchase=purchase,
        channel=Channel.TRANSFER,
        amount=line.amount,
        external_ref=line.ref,
        received_on=line.booked_on,
        details={"statement": line.statement_id, "assigned": True},
    )
    line.outcome, line.purchase, line.note = Outcome.ASSIGNED, purchase, note.strip()
    line.decided_by, line.decided_at = actor, timezone.now()
    line.save()
    audit.record_update(actor=actor, instance=line, before=before)
    return line


@transaction.atomic
def statement_line_dismiss(*, actor, line: StatementLine, note: str):
    """The office dismisses a line of the review queue (e.g. returned to the sender, not
    a payment for the register), with the reason."""
    _school_id, line = _review_line(actor, line.pk)
    if not note.strip():
        raise ValidationError(_("Say why the line is dismissed."))
    before = audit.snapshot(line, fields=_DECISION)
    line.outcome, line.note = Outcome.DISMISSED, note.strip()
    line.decided_by, line.decided_at = actor, timezone.now()
    line.save()
    audit.record_update(actor=actor, instance=line, before=before)
    return line
