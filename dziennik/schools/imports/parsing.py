"""Reading the file on its own, without the database: every cell checked, every problem
reported with its line."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import csvimport
from dziennik.core.csvimport import parse_date
from dziennik.core.params import parse_int

from .columns import (
    COLUMNS,
    GUARDIAN_PARTS,
    GUARDIAN_SLOTS,
    MAX_JOURNAL_NUMBER,
    RELATIONS,
    normalize_column,
)
from .result import ImportResult
from .rows import GuardianRow, StudentRow
from .validation import check_rows

PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def pesel_birth_date(pesel: str) -> datetime.date | None:
    """The date of birth a well-formed PESEL encodes, or None when the checksum fails."""
    if not re.fullmatch(r"\d{11}", pesel):
        return None
    digits = [int(d) for d in pesel]
    control = (10 - sum(d * w for d, w in zip(digits, PESEL_WEIGHTS, strict=False)) % 10) % 10
    if control != digits[10]:
        return None
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    century = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800}.get(month // 20)
    if century is None:
        return None
    try:
        return datetime.date(century + year, month % 20, day)
    except ValueError:
        return None


def normalize_phone(value: str) -> str | None:
    """Digits only (a leading + kept); None when it is not a phone number."""
    value = value.strip()
    if not re.fullmatch(r"\+?[\d\s\-()./]+", value):
        return None
    digits = re.sub(r"\D", "", value)
    if not 9 <= len(digits) <= 15:
        return None
    return ("+" if value.startswith("+") else "") + digits


def parse(data: bytes, result: ImportResult) -> list[StudentRow]:
    """Read and check the file on its own (no database). Problems go into ``result``."""
    rows: list[StudentRow] = []
    for line, values in csvimport.read_rows(
        data, columns=COLUMNS, normalize=normalize_column, result=result
    ):
        row = _parse_row(line, values, result)
        if row is not None:
            rows.append(row)
    if not result.file_errors and result.rows == 0:
        result.file_errors.append(_("The file has a header but no students."))
    check_rows(rows, result)
    result.row_errors.sort(key=lambda e: e.line)
    return rows


def _parse_row(line: int, values: dict[str, str], result: ImportResult) -> StudentRow | None:
    """One row as a ``StudentRow``, or ``None`` with every problem of the row reported."""
    errors: list[str] = []
    for name, required in COLUMNS.items():
        if required and not values[name]:
            errors.append(_("Missing value in column %(column)s.") % {"column": name})
    journal_number = _journal_number(values, errors)
    level = _level(values, errors)
    birth_date = _birth_date(values, errors)
    pesel = _pesel(values, birth_date, errors)
    _check_lengths(values, errors)
    guardians = _guardians(line, values, errors)
    for message in errors:
        result.error(line, message)
    if errors:
        return None
    return StudentRow(
        line=line,
        class_name=values["klasa"],
        level=level,
        journal_number=journal_number,
        external_id=values["id_ucznia"],
        first_name=values["imie"],
        second_name=values["drugie_imie"],
        last_name=values["nazwisko"],
        birth_date=birth_date,
        birth_place=values["miejsce_urodzenia"],
        pesel=pesel,
        address=values["adres"],
        guardians=guardians,
    )


def _journal_number(values: dict[str, str], errors: list[str]) -> int:
    value = values["nr_w_dzienniku"]
    if not value:
        return 0
    number = parse_int(value, min_value=1, max_value=MAX_JOURNAL_NUMBER)
    if number is not None:
        return number
    errors.append(
        _("Journal number %(value)s is not a number from 1 to %(max)s.")
        % {"value": value, "max": MAX_JOURNAL_NUMBER}
    )
    return 0


def _level(values: dict[str, str], errors: list[str]) -> int:
    """The ``poziom`` column, or the level the class name starts with (``4a`` → 4)."""
    level = 0
    if values["poziom"]:
        level = parse_int(values["poziom"], min_value=0, max_value=13)
        if level is None:
            level = 0
            errors.append(
                _("Level %(value)s is not a number from 0 to 13.") % {"value": values["poziom"]}
            )
    elif values["klasa"]:
        match = re.match(r"[0-9]+", values["klasa"])
        if match and int(match.group()) <= 13:
            level = int(match.group())
        else:
            errors.append(
                _(
                    "Missing value in column %(column)s (it cannot be read from the class "
                    "name %(name)s)."
                )
                % {"column": "poziom", "name": values["klasa"]}
            )
    if len(values["klasa"]) > 20:
        errors.append(_("The class name is longer than 20 characters."))
    return level


def _birth_date(values: dict[str, str], errors: list[str]) -> datetime.date | None:
    if not values["data_urodzenia"]:
        return None
    birth_date = parse_date(values["data_urodzenia"])
    if birth_date is None:
        errors.append(
            _("Date of birth %(value)s is not a date (use DD.MM.YYYY or YYYY-MM-DD).")
            % {"value": values["data_urodzenia"]}
        )
    elif birth_date > timezone.localdate():
        errors.append(
            _("Date of birth %(value)s is in the future.") % {"value": values["data_urodzenia"]}
        )
    return birth_date


def _pesel(values: dict[str, str], birth_date: datetime.date | None, errors: list[str]) -> str:
    """The PESEL without spaces; it must be valid and encode the date of birth."""
    pesel = values["pesel"].replace(" ", "")
    if pesel:
        pesel_date = pesel_birth_date(pesel)
        if pesel_date is None:
            errors.append(_("PESEL %(value)s is not valid.") % {"value": values["pesel"]})
        elif birth_date is not None and pesel_date != birth_date:
            errors.append(
                _("PESEL %(value)s does not match the date of birth %(date)s.")
                % {"value": pesel, "date": values["data_urodzenia"]}
            )
    return pesel


def _check_lengths(values: dict[str, str], errors: list[str]) -> None:
    for name, limit in (
        ("id_ucznia", 50),
        ("imie", 100),
        ("drugie_imie", 100),
        ("nazwisko", 100),
        ("miejsce_urodzenia", 100),
        ("adres", 200),
    ):
        if len(values[name]) > limit:
            errors.append(
                _("The value in column %(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )


def _guardians(line: int, values: dict[str, str], errors: list[str]) -> list[GuardianRow]:
    guardians: list[GuardianRow] = []
    for slot in GUARDIAN_SLOTS:
        guardian = _parse_guardian(line, slot, values, errors)
        if guardian is not None:
            guardians.append(guardian)
    if len(guardians) == 2 and guardians[0].identity_keys()[0] == guardians[1].identity_keys()[0]:
        errors.append(_("Guardian 1 and guardian 2 are the same person."))
    return guardians


def _parse_guardian(
    line: int, slot: int, values: dict[str, str], errors: list[str]
) -> GuardianRow | None:
    cells = {part: values[f"opiekun{slot}_{part}"] for part in GUARDIAN_PARTS}
    if not any(cells.values()):
        return None
    for part in ("imie", "nazwisko", "relacja"):
        if not cells[part]:
            errors.append(
                _("Missing value in column %(column)s.") % {"column": f"opiekun{slot}_{part}"}
            )
    relation = ""
    if cells["relacja"]:
        relation = RELATIONS.get(normalize_column(cells["relacja"]), "")
        if not relation:
            errors.append(
                _("Unknown relation %(value)s of guardian %(slot)s (allowed: %(allowed)s).")
                % {
                    "value": cells["relacja"],
                    "slot": slot,
                    "allowed": "matka, ojciec, opiekun prawny, rodzina zastępcza",
                }
            )
    email = cells["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("E-mail %(value)s of guardian %(slot)s is not valid.")
                % {"value": email, "slot": slot}
            )
    phone = ""
    if cells["telefon"]:
        phone = normalize_phone(cells["telefon"]) or ""
        if not phone:
            errors.append(
                _("Phone %(value)s of guardian %(slot)s is not valid.")
                % {"value": cells["telefon"], "slot": slot}
            )
    for part, limit in (("imie", 100), ("nazwisko", 100), ("email", 254)):
        if len(cells[part]) > limit:
            errors.append(
                _("The value in column %(column)s is longer than %(limit)s characters.")
                % {"column": f"opiekun{slot}_{part}", "limit": limit}
            )
    return GuardianRow(
        line=line,
        first_name=cells["imie"],
        last_name=cells["nazwisko"],
        relation=relation,
        email=email.casefold(),
        phone=phone,
        address=values["adres"],
    )
