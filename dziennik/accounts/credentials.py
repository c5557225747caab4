"""Login names and one-time passwords for credential letters.

Login names are readable ASCII built from the person's name (``zofia.wisniewska``;
guardians get a suffix, ``anna.wisniewska.r``), numbered when taken. Passwords come from
``secrets`` and use only characters that cannot be mistaken for one another on paper.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)
GUARDIAN_SUFFIX = "r"  # *rodzic*
MAX_USERNAME_LENGTH = 150

# No 0/O/o, 1/l/I/i, 5/S/s, 2/Z/z, 8/B, u/v: unambiguous when copied from a printout.
PASSWORD_ALPHABET = "abcdefghjkmnpqrtwxyACDEFGHJKLMNPQRTWXY34679"
PASSWORD_GROUPS = 3
PASSWORD_GROUP_LENGTH = 4


def transliterate(text: str) -> str:
    """Polish (and other Latin) letters to ASCII: ``Łucja Żółkiewska`` → ``Lucja Zolkiewska``."""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


def _slug(text: str) -> str:
    """Lowercase ASCII letters and digits, words joined by ``-``."""
    words = re.split(r"[^a-z0-9]+", transliterate(text).lower())
    return "-".join(w for w in words if w)


def username_base(first_name: str, last_name: str, *, guardian: bool = False) -> str:
    """The wanted login name before numbering: ``first.last`` (``.r`` for a guardian).

    Only the first given name is used; a double surname keeps its hyphen.
    """
    first = _slug(first_name.split()[0] if first_name.split() else "")
    last = _slug(last_name)
    parts = [p for p in (first, last) if p] or ["konto"]
    if guardian:
        parts.append(GUARDIAN_SUFFIX)
    return ".".join(parts)[: MAX_USERNAME_LENGTH - 4]


def unique_username(base: str, is_taken: Callable[[str], bool]) -> str:
    """``base`` if free, else ``base2``, ``base3``… (the first free one)."""
    if not is_taken(base):
        return base
    number = 2
    while is_taken(f"{base}{number}"):
        number += 1
    return f"{base}{number}"


def taken_checker(existing: Iterable[str]) -> Callable[[str], bool]:
    """A case-insensitive membership test over login names (logins compare without case)."""
    taken = {name.lower() for name in existing}
    return lambda name: name.lower() in taken


def generate_password() -> str:
    """A random one-time password like ``k7Qm-x3Rt-9bHa`` (about 65 bits)."""
    groups = (
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
        for _ in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)
