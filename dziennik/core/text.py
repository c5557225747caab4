"""Text helpers shared by every app."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Model
from django.utils.translation import gettext as _


def polish_sort_key(text: str) -> tuple[int, ...]:
    """Alphabetical order of the Polish alphabet (ą after a, ł after l, ż last…)."""
    alphabet = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
    return tuple(alphabet.index(ch) if ch in alphabet else 100 + ord(ch) for ch in text.lower())


# Characters no typed text needs: the C0 and C1 control characters (NUL, escape, the
# terminal's bell…), DEL and lone UTF-16 halves, which PostgreSQL refuses outright (NUL)
# or which break what a name is shown in (a PDF's file name, a CSV cell, an e-mail).
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x85": "\n"})
_SPACES = str.maketrans(dict.fromkeys("\t\n\x0b\x0c", " "))


def _kept(ch: str, multiline: bool) -> bool:
    if ch in "\n\t":
        return multiline
    category = unicodedata.category(ch)
    return category not in ("Cc", "Cs")


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Typed text as the register keeps it: control characters removed, and the ends
    stripped. ``multiline`` text (a comment, a descriptive grade, a reason) keeps its
    line breaks (as ``\\n``) and tabs; a one-line value (a name, a topic, a symbol) has
    them turned into spaces. NUL and other control characters are dropped: they are
    never meant, and pasted text brings them along."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    if not multiline:
        text = text.translate(_SPACES)
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isprintable() or _kept(ch, multiline))
    return text.strip()


def control_characters(text: str) -> bool:
    """Does the text contain a control character, a line break or a tab (for values
    that must be refused rather than cleaned: a name in an imported file)?"""
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in text)


def field_text(model: type[Model], name: str, value: object, *, multiline: bool = False) -> str:
    """``clean_text`` of a value for the model's text field ``name``, or
    ``ValidationError({name: …})`` when it is longer than the field's ``max_length``."""
    text = clean_text(value, multiline=multiline)
    limit = model._meta.get_field(name).max_length
    if limit is not None:
        try:
            MaxLengthValidator(limit)(text)
        except ValidationError as exc:
            raise ValidationError({name: exc.error_list}) from None
    return text


def field_choice(model: type[Model], name: str, value: object) -> str:
    """``value`` when it is one of the model's field's choices, else
    ``ValidationError({name: …})``."""
    choices = {str(key) for key, _label in model._meta.get_field(name).flatchoices}
    if not isinstance(value, str) or value not in choices:
        raise ValidationError({name: _("Choose one of the values offered.")})
    return value
