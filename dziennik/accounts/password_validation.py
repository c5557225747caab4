"""Password rules of our own, beside Django's (``AUTH_PASSWORD_VALIDATORS``).

Django's ``UserAttributeSimilarityValidator`` refuses a password *similar as a whole* to
the login, the names or the e-mail; "Kowalski-Haslo-2026" is not similar enough to
"Kowalski" to be caught, yet it is the first thing anyone who knows the person tries.
``PersonalNameValidator`` refuses a password that *contains* one of the person's names
or a part of their login, whatever the case and with or without the Polish letters.
"""

from __future__ import annotations

import re

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from .credentials import transliterate

# Shorter parts (an initial, the "r" of a guardian's login) would refuse half the words.
MIN_NAME_LENGTH = 3
_WORDS = re.compile(r"[^a-z]+")


def _folded(text: str) -> str:
    """Lowercase ASCII letters only: ``Żółkiewska-Nowak`` → ``zolkiewska-nowak``."""
    return transliterate(text).lower()


def personal_names(user) -> set[str]:
    """The parts of the person's names, login and e-mail a password must not contain,
    folded: the account's own, and those of the student or guardian record it belongs to
    (with a second name the account does not carry)."""
    texts = [
        getattr(user, "username", "") or "",
        getattr(user, "first_name", "") or "",
        getattr(user, "last_name", "") or "",
        (getattr(user, "email", "") or "").split("@")[0],
    ]
    if getattr(user, "pk", None) is not None:
        for profile in ("student_profile", "guardian_profile"):
            try:
                person = getattr(user, profile)
            except ObjectDoesNotExist:
                continue
            texts += [person.first_name, getattr(person, "second_name", ""), person.last_name]
    words = set()
    for text in texts:
        words.update(w for w in _WORDS.split(_folded(text or "")) if len(w) >= MIN_NAME_LENGTH)
    return words


class PersonalNameValidator:
    """Refuse a password containing the person's first, second or last name, or a part
    of their login or e-mail of at least three letters, ignoring case and diacritics."""

    code = "password_contains_personal_name"

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        folded = _WORDS.sub("", _folded(password))
        if any(name in folded for name in personal_names(user)):
            raise ValidationError(
                _("The password contains your first name, last name or login."),
                code=self.code,
            )

    def get_help_text(self) -> str:
        return _("Your password can’t contain your first name, last name or login.")
