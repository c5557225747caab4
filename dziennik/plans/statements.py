"""Bank statements read into lines: the CSV a Polish bank exports and MT940 (through the
maintained ``mt-940`` parser). Pure functions, no database: ``services_pay`` matches the
lines with purchases.

Every line gets a stable ``ref``: the bank's reference when the statement gives one,
else a hash of its date, amount, title and account (with the line's occurrence among
identical ones), so the same statement read twice gives the same refs.

A file that is not a statement, or a row that cannot be read, raises ``StatementError``
naming the row: nothing of such a file is imported.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import mt940
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024


class StatementError(ValueError):
    """The file cannot be read as a statement; the message says where."""


@dataclass(frozen=True)
class Line:
    """One line of a statement: ``amount`` is positive for money coming in."""

    ref: str
    booked_on: datetime.date
    amount: Decimal
    title: str
    counterparty: str = ""
    account: str = ""


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise StatementError(_("The file is larger than 5 MB."))
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError(_("The file is not text."))  # pragma: no cover - cp1250 reads all


def _with_refs(rows: list[tuple[str, datetime.date, Decimal, str, str, str]]) -> list[Line]:
    """Lines with their refs: the bank's, else a hash (plus the occurrence)."""
    seen: Counter[str] = Counter()
    lines = []
    for bank_ref, day, amount, title, who, account in rows:
        if bank_ref and bank_ref.upper() != "NONREF":
            ref = f"bank:{bank_ref}"
        else:
            key = "|".join((day.isoformat(), str(amount), " ".join(title.split()), account))
            seen[key] += 1
            digest = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:32]
            ref = f"hash:{digest}"
        lines.append(Line(ref, day, amount, " ".join(title.split()), who.strip(), account))
    refs = Counter(line.ref for line in lines)
    if doubled := [ref for ref, count in refs.items() if count > 1]:
        raise StatementError(
            _("The statement names one bank reference twice: %(ref)s") % {"ref": doubled[0]}
        )
    return lines


# --- CSV ------------------------------------------------------------------------------
# The columns of a Polish bank's CSV export (PKO BP, mBank, Santander and others use
# these names or close ones): the first matching header of each group is used.
COLUMNS = {
    "date": ("data księgowania", "data operacji", "data transakcji", "data"),
    "amount": ("kwota", "kwota operacji", "kwota transakcji"),
    "title": ("tytuł", "tytuł operacji", "opis operacji", "opis"),
    "counterparty": ("nadawca/odbiorca", "nadawca / odbiorca", "kontrahent", "nadawca"),
    "account": ("numer konta", "rachunek nadawcy", "rachunek kontrahenta", "konto"),
    "ref": ("numer referencyjny", "identyfikator transakcji", "id transakcji", "referencje"),
}


def _money(text: str) -> Decimal:
    cleaned = text.replace("\xa0", "").replace(" ", "").replace("PLN", "").replace(",", ".")
    value = Decimal(cleaned)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


def _day(text: str) -> datetime.date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%Y.%m.%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_csv(data: bytes) -> list[Line]:
    text = _decode(data)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header_at, columns = None, {}
    rows = list(reader)
    for number, row in enumerate(rows[:30]):
        names = [cell.strip().lower() for cell in row]
        found = {
            key: names.index(name)
            for key, options in COLUMNS.items()
            for name in reversed(options)
            if name in names
        }
        if {"date", "amount", "title"} <= set(found):
            header_at, columns = number, found
            break
    if header_at is None:
        raise StatementError(
            _(
                "No header with the columns date, amount and title "
                "(e.g. “Data księgowania”, “Kwota”, “Tytuł”)."
            )
        )
    parsed = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key, row=row):
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        try:
            day, amount = _day(cell("date")), _money(cell("amount"))
        except (ValueError, InvalidOperation):
            raise StatementError(
                _("Row %(n)s: no date or amount: %(row)s") % {"n": number, "row": ";".join(row)}
            ) from None
        parsed.append(
            (
                cell("ref"),
                day,
                amount,
                cell("title"),
                cell("counterparty"),
                _account(cell("account")),
            )
        )
    return _with_refs(parsed)


def _account(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


# --- MT940 ----------------------------------------------------------------------------
SUBFIELD = re.compile(r"[~^](\d\d)")


def _details(text: str) -> tuple[str, str, str]:
    """Title, counterparty and account from a Polish ``:86:`` (subfields ~20–~25 the
    title, ~27–~28 the name, ~38 the account); unstructured text is all title."""
    parts = SUBFIELD.split(text or "")
    if len(parts) < 3:
        return text or "", "", ""
    fields: dict[int, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[int(code)] = fields.get(int(code), "") + value
    title = "".join(fields.get(code, "") for code in range(20, 26))
    who = " ".join(fields.get(code, "") for code in (27, 28)).strip()
    return title, who, _account(fields.get(38, ""))


def parse_mt940(data: bytes) -> list[Line]:
    text = _decode(data)
    if ":61:" not in text or ":20:" not in text:
        raise StatementError(_("The file is not an MT940 statement (no :20: and :61: fields)."))
    transactions = mt940.models.Transactions()
    try:
        transactions.parse(text)
    except Exception as exc:  # the parser raises several kinds for a broken file
        raise StatementError(_("The MT940 statement cannot be read: %(e)s") % {"e": exc}) from exc
    parsed = []
    for number, transaction in enumerate(transactions, start=1):
        values = transaction.data
        try:
            amount = Decimal(values["amount"].amount).quantize(Decimal("0.01"))
            day = values.get("entry_date") or values["date"]
            day = datetime.date(day.year, day.month, day.day)
        except (KeyError, AttributeError, InvalidOperation):
            raise StatementError(
                _("Transaction %(n)s: no date or amount.") % {"n": number}
            ) from None
        title, who, account = _details(values.get("transaction_details", ""))
        parsed.append((values.get("bank_reference") or "", day, amount, title, who, account))
    if not parsed:
        raise StatementError(_("The MT940 statement has no transactions."))
    return _with_refs(parsed)


FORMATS = {"csv": parse_csv, "mt940": parse_mt940}


def parse(data: bytes, fmt: str) -> list[Line]:
    if fmt not in FORMATS:
        raise StatementError(_("Choose the statement's format."))
    return FORMATS[fmt](data)


def normalise(text: str) -> str:
    """A title as compared: capitals, no spaces, dashes or other separators."""
    return re.sub(r"[^0-9A-Z]", "", text.upper())
