"""Reading the CSV files schools import (students, timetables): one set of rules for all.

The rules (``docs/import-format.md``): UTF-8 with or without a BOM, ``;`` or ``,`` as the
separator (whichever the header uses more), the first non-empty row is the header,
column names are matched without case, Polish letters or punctuation, empty rows are
skipped, at most 2 MB. Every problem is reported with its line number (the header is
line 1) so the person importing can correct the file; nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .csvexport import FORMULA_STARTS, write_csv
from .text import control_characters

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass
class RowError:
    line: int
    messages: list[str]


@dataclass
class CheckedFile:
    """What checking a file found: file-level problems and problems per line."""

    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    def error(self, line: int, message: str) -> None:
        for row_error in self.row_errors:
            if row_error.line == line:
                row_error.messages.append(message)
                return
        self.row_errors.append(RowError(line, [message]))


def plain_name(name: str) -> str:
    """``"Opiekun 1 – imię"`` → ``"opiekun1_imie"``: no case, accents or punctuation."""
    name = name.replace("ł", "l").replace("Ł", "L")
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).casefold().strip()
    name = re.sub(r"[^a-z0-9]+", "_", name).strip("_")
    return re.sub(r"([a-z])_(\d)_", r"\1\2_", name)  # "opiekun_1_imie" → "opiekun1_imie"


def parse_date(value: str) -> datetime.date | None:
    """``DD.MM.YYYY`` or ``YYYY-MM-DD``; None when it is not a real date."""
    value = value.strip()
    for pattern in (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", r"(\d{4})-(\d{1,2})-(\d{1,2})"):
        match = re.fullmatch(pattern, value)
        if match:
            numbers = [int(g) for g in match.groups()]
            day, month, year = numbers if pattern.startswith(r"(\d{1,2})") else numbers[::-1]
            try:
                return datetime.date(year, month, day)
            except ValueError:
                return None
    return None


def decode(data: bytes, result: CheckedFile) -> str | None:
    if not data.strip():
        result.file_errors.append(_("The file is empty."))
        return None
    if len(data) > MAX_FILE_BYTES:
        result.file_errors.append(
            _("The file is too large (at most %(size)s MB).")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
        return None
    if b"\x00" in data:
        result.file_errors.append(
            _(
                "This is not a CSV text file (it looks like a spreadsheet or another binary "
                "file). Save it as “CSV UTF-8” and try again."
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.file_errors.append(
            _(
                "The file is not in UTF-8 encoding. Save it as “CSV UTF-8 (comma or "
                "semicolon delimited)” and try again."
            )
        )
        return None


def detect_separator(header_line: str) -> str:
    """``;`` or ``,``: whichever the header row uses more (Polish Excel writes ``;``)."""
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def read_rows(
    data: bytes,
    *,
    columns: dict[str, bool],
    normalize: Callable[[str], str],
    result: CheckedFile,
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as ``(line, {column: stripped value})``, every column present.

    ``columns`` maps each known column to whether it is required; ``normalize`` turns a
    header cell into a column name. File-level problems go into ``result.file_errors``
    (and no rows are returned); a row with values outside the named columns is reported
    and skipped. ``result.rows`` counts the non-empty rows.
    """
    text = decode(data, result)
    if text is None:
        return []
    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(first_line))
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except StopIteration:
        result.file_errors.append(_("The file is empty."))
        return []
    except csv.Error as exc:
        result.file_errors.append(_("The file is not valid CSV: %(error)s") % {"error": exc})
        return []
    names = [normalize(name) for name in header]
    result.file_errors.extend(_header_errors(header, names, columns))
    if result.file_errors:
        return []
    return _data_rows(reader, names, columns, result)


def _header_errors(header: list[str], names: list[str], columns: dict[str, bool]) -> list[str]:
    """What is wrong with the header row: unknown, repeated or missing columns."""
    errors = []
    # Spreadsheets often add empty columns at the end: a column without a name is ignored
    # (a value under it is an error in its row).
    unknown = [raw for raw, name in zip(header, names, strict=True) if name and name not in columns]
    if unknown:
        errors.append(
            _("Unknown columns: %(columns)s. See the template for the column names.")
            % {"columns": ", ".join(c.strip() for c in unknown)}
        )
    seen: set[str] = set()
    duplicated = sorted({c for c in names if c and (c in seen or seen.add(c))})
    if duplicated:
        errors.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(duplicated)})
    missing = [name for name, required in columns.items() if required and name not in names]
    if missing:
        errors.append(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return errors


def _data_rows(
    reader, names: list[str], columns: dict[str, bool], result: CheckedFile
) -> list[tuple[int, dict[str, str]]]:
    """The rows after the header; a row with values outside the named columns is reported
    and skipped, a broken CSV quote fails the whole file."""
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            result.rows += 1
            unnamed = [
                cell
                for index, cell in enumerate(cells)
                if (index >= len(names) or not names[index]) and cell.strip()
            ]
            if unnamed:
                result.error(
                    line,
                    _(
                        "The row has values outside the named columns: %(values)s (check the "
                        "separator and quotes)."
                    )
                    % {"values": ", ".join(unnamed[:3])},
                )
                continue
            values = dict.fromkeys(columns, "")
            values.update(
                {
                    name: unprotect(cell.strip())
                    for name, cell in zip(names, cells, strict=False)
                    if name
                }
            )
            if _control_characters(line, values, result):
                continue
            rows.append((line, values))
    except csv.Error as exc:
        result.file_errors.append(
            _("The file is not valid CSV (line %(line)s): %(error)s")
            % {"line": reader.line_num, "error": exc}
        )
        return []
    return rows


def _control_characters(line: int, values: dict[str, str], result: CheckedFile) -> bool:
    """Report the row's cells with a line break, a tab or another control character (a
    quoted cell may hold them): names are printed on certificates, PDFs and file names,
    where they do not belong. True when there were any."""
    bad = [name for name, value in values.items() if control_characters(value)]
    for name in bad:
        result.error(
            line,
            _(
                "Column %(column)s contains control characters (a line break, a tab or an "
                "invisible character): remove them."
            )
            % {"column": name},
        )
    return bool(bad)


def template_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    """A downloadable template: the header and example rows, ``;``-separated."""
    return write_csv(columns, rows)


def unprotect(cell: str) -> str:
    """A cell as typed: ``'=1`` written by an export (``csvexport.safe_cell``) is ``=1``."""
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
