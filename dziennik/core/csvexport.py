"""Writing the CSV files the register hands out: one writer for every export.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, a tab or a carriage return) as a formula: an imported name such
as ``=HYPERLINK("http://…")`` would become a link, or worse, in the office's
spreadsheet. Every cell that starts so is written with a leading apostrophe (OWASP's
"CSV injection" advice), which spreadsheets show as text; the import
(``core.csvimport``) reads such a protected cell back as the value it protects.

Every CSV download goes through ``csv_response`` (``portal/tests/test_csv_exports.py``
opens every URL as every role and checks each CSV it gets, and that no other code writes
CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from .http import content_disposition

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell's text, with an apostrophe before a formula start."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(columns: Sequence[str], rows: Iterable[dict[str, object]]) -> str:
    """The header and the rows, ``;``-separated (what Polish spreadsheets expect), every
    cell through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(name, "")) for name in columns])
    return out.getvalue()


def csv_response(content: str, filename: str) -> HttpResponse:
    """A CSV download: UTF-8 with a BOM, so that spreadsheets read Polish letters."""
    response = HttpResponse(content.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response


def write_exchange_csv(columns: Sequence[str], rows: Iterable[dict[str, object]]) -> str:
    """A CSV for another program, not a spreadsheet (OneRoster): commas, CRLF, every
    value as it is – a standard's exact values, so no formula guard (``safe_cell``)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return out.getvalue()
