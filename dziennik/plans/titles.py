"""Payment titles (*tytuł przelewu*): ``DZ-<school id>-<8 characters><check>``, e.g.
``DZ-12-7K3M9QXAR``. Short enough for a transfer form's title, unique per school
(``Purchase.title``), and checked: the last character is a weighted sum of the others,
so one mistyped or two swapped characters are caught, and a title found in a bank
statement's free text (``find_titles``) is taken only when its check holds.

The characters are Crockford's base 32 (no I, L, O, U): read aloud or retyped from paper,
``O`` is taken for ``0`` and ``I``/``L`` for ``1``.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_FOUND = re.compile(
    r"DZ[\s\-/.]*(\d{1,9})[\s\-/.]*([" + ALPHABET + "]{" + str(CODE_LENGTH + 1) + r"})(?![0-9A-Z])"
)


def check_char(school_id: int, code: str) -> str:
    values = [int(digit) for digit in str(school_id)] + [_VALUES[char] for char in code]
    return ALPHABET[sum(weight * value for weight, value in enumerate(values, start=1)) % 31]


def make_title(school_id: int) -> str:
    """A new random title for the school (the caller makes sure it is unused)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"DZ-{school_id}-{code}{check_char(school_id, code)}"


def parse_title(text: str) -> str | None:
    """The canonical title ``text`` is, or None when it is none or its check fails."""
    found = find_titles(text)
    return found[0] if len(found) == 1 else None


def find_titles(text: str) -> list[str]:
    """Every valid title in a free text (a transfer's title as the bank wrote it: upper
    or lower case, spaces or dashes lost or added, O for 0), canonical, in order."""
    found = []
    for match in _FOUND.finditer(text.upper().translate(_LOOKALIKES)):
        school_id, code = int(match[1]), match[2]
        if check_char(school_id, code[:-1]) == code[-1]:
            title = f"DZ-{school_id}-{code}"
            if title not in found:
                found.append(title)
    return found


def school_of(title: str) -> int:
    """The school id a canonical title names."""
    return int(title.split("-")[1])
