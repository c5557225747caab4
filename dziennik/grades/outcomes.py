"""How a term or final grade is written for people: the grade's name in full from the
school's scale (G-01), or another outcome (G-11) in the gender-correct Polish form
(*nieklasyfikowany* / *nieklasyfikowana*, *zwolniony* / *zwolniona*).

The register keeps no gender of a student; the PESEL carries it (its tenth digit is even
for a woman), and without one the first name does (Polish women's names end in "a",
with a few men's names as exceptions).
"""

from __future__ import annotations

import re

from django.utils.translation import pgettext

from .models import ClassificationGrade
from .rules import Rules

# Men's first names that end in "a" (Kuba, Barnaba…): not women's.
_MEN_ENDING_IN_A = {"barnaba", "bonawentura", "jarema", "kuba", "kosma", "zawisza", "dyzma"}

Outcome = ClassificationGrade.Outcome


def is_female(student) -> bool:
    """Whether Polish speaks of the student in the feminine (see the module's note)."""
    pesel = (getattr(student, "pesel", "") or "").strip()
    if re.fullmatch(r"[0-9]{11}", pesel):
        return int(pesel[9]) % 2 == 0
    first = (student.first_name or "").strip().lower()
    return first.endswith("a") and first not in _MEN_ENDING_IN_A


def outcome_label(outcome: str, *, female: bool) -> str:
    """ "not classified" or "exempt" in the student's grammatical gender."""
    if outcome == Outcome.UNCLASSIFIED:
        if female:
            return pgettext("female", "not classified")
        return pgettext("male", "not classified")
    if outcome == Outcome.EXEMPT:
        if female:
            return pgettext("female", "exempt")
        return pgettext("male", "exempt")
    return ""


def outcome_abbreviation(outcome: str) -> str:
    """The outcome as the sheets write it (nkl, zw)."""
    return outcome


def describe(cg: ClassificationGrade, rules: Rules, student) -> ClassificationGrade:
    """Put on ``cg`` what the screens and printouts show of it: ``full`` (the grade's
    name in full, or the outcome in words, or the descriptive text) and ``short`` (the
    digit or the outcome's abbreviation). Returns ``cg``."""
    if cg.outcome:
        cg.full = outcome_label(cg.outcome, female=is_female(student))
        cg.short = outcome_abbreviation(cg.outcome)
        if cg.outcome == Outcome.UNCLASSIFIED and cg.exam_allowed_on and cg.exam_grade:
            cg.exam_full = rules.grade_name(cg.exam_grade)
    elif cg.grade:
        cg.full = rules.grade_name(cg.grade)
        cg.short = str(cg.grade)
        cg.abbreviation = rules.grade_abbreviation(cg.grade)
    else:
        cg.full = cg.text
        cg.short = ""
    return cg
