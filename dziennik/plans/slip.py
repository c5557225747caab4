"""The payment slip (*polecenie przelewu / wpłata gotówkowa*): the school's account
checked as an IBAN, the amount in figures and in words, as the Polish form has them."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import iban as iban_number
from stdnum.exceptions import ValidationError as NumberError


def clean_iban(value: str) -> str:
    """The IBAN without spaces, or ``ValidationError`` (the check digits are checked; a
    Polish account number of 26 digits is read as ``PL``…)."""
    compact = iban_number.compact(value or "")
    if re.fullmatch(r"[0-9]{26}", compact):
        compact = "PL" + compact
    try:
        return iban_number.validate(compact)
    except NumberError as exc:
        raise ValidationError(
            _("This is not a valid account number (IBAN): %(value)s") % {"value": value}
        ) from exc


def account_digits(iban: str) -> str:
    """A Polish IBAN as printed on the form: the 26 digits in groups (``61 1090 …``)."""
    compact = iban_number.compact(iban)
    digits = compact[2:] if compact.startswith("PL") else compact
    return " ".join([digits[:2], *(digits[i : i + 4] for i in range(2, len(digits), 4))])


UNITS = (
    "",
    "jeden",
    "dwa",
    "trzy",
    "cztery",
    "pięć",
    "sześć",
    "siedem",
    "osiem",
    "dziewięć",
    "dziesięć",
    "jedenaście",
    "dwanaście",
    "trzynaście",
    "czternaście",
    "piętnaście",
    "szesnaście",
    "siedemnaście",
    "osiemnaście",
    "dziewiętnaście",
)
TENS = (
    "",
    "",
    "dwadzieścia",
    "trzydzieści",
    "czterdzieści",
    "pięćdziesiąt",
    "sześćdziesiąt",
    "siedemdziesiąt",
    "osiemdziesiąt",
    "dziewięćdziesiąt",
)
HUNDREDS = (
    "",
    "sto",
    "dwieście",
    "trzysta",
    "czterysta",
    "pięćset",
    "sześćset",
    "siedemset",
    "osiemset",
    "dziewięćset",
)


def _below_thousand(number: int) -> list[str]:
    words = [HUNDREDS[number // 100]]
    rest = number % 100
    words += [UNITS[rest]] if rest < 20 else [TENS[rest // 10], UNITS[rest % 10]]
    return [word for word in words if word]


def _form(number: int, one: str, few: str, many: str) -> str:
    """The Polish plural: 1 złoty, 2–4 złote (not 12–14), else złotych."""
    if number == 1:
        return one
    if number % 10 in (2, 3, 4) and number % 100 not in (12, 13, 14):
        return few
    return many


def amount_in_words(amount: Decimal) -> str:
    """``22.50`` → ``dwadzieścia dwa złote 50/100`` (as written on a Polish form; the
    form is Polish whatever the page's language). Up to 999 999.99 zł."""
    zloty = int(amount)
    grosze = int((amount - zloty) * 100)
    thousands, rest = divmod(zloty, 1000)
    words = []
    if thousands:
        words += ["jeden"] if thousands == 1 else _below_thousand(thousands)
        words.append(_form(thousands, "tysiąc", "tysiące", "tysięcy"))
        if thousands == 1:
            words.remove("jeden")
    words += _below_thousand(rest)
    text = " ".join(words) or "zero"
    return f"{text} {_form(zloty, 'złoty', 'złote', 'złotych')} {grosze:02d}/100"
