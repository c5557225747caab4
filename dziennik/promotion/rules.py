"""Who is promoted: the school's rule as a pure function over a student's annual
classification (no database). ``selectors.promotion_preview`` feeds it.

- Classes 1–3: promoted (descriptive grades, G-10), unless a subject is left not
  classified without a passed classification exam.
- From class 4: a subject graded niedostateczny (1), or not classified (*nieklasyfikowany*,
  G-11) without a classification exam the council allowed and the student passed, or
  without an annual grade at all, means no promotion. Religion and ethics never block it
  (G-12). An exempt subject (*zwolniony*) neither blocks nor counts in the average.
- With distinction (*z wyróżnieniem*, from class 4): the average of the annual grades
  that count at least the school's threshold (4.75 by default) and behaviour at least the
  school's minimum (bardzo dobre by default).
- In the last class of the school type the outcomes are *ukończenie szkoły* (with
  distinction) or not; its annual grades are the final ones (*oceny końcowe*, G-02).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from dziennik.grades.rules import LAST_LEVEL, is_last_class

__all__ = ["LAST_LEVEL", "SchoolRule", "SubjectResult", "decide", "is_last_class"]

# Behaviour from the best (B-01).
BEHAVIOUR_ORDER = ("wz", "bdb", "db", "popr", "ndp", "ng")
# Subject names of religion and ethics (G-12), as lower-case beginnings.
_RELIGION_OR_ETHICS = ("religia", "religion", "etyka", "ethics")

PROMOTED = "promoted"
PROMOTED_DISTINCTION = "promoted_d"
NOT_PROMOTED = "repeats"
GRADUATED = "graduated"
GRADUATED_DISTINCTION = "graduated_d"
NOT_GRADUATED = "not_grad"


def is_religion_or_ethics(subject_name: str) -> bool:
    return subject_name.strip().lower().startswith(_RELIGION_OR_ETHICS)


@dataclass(frozen=True)
class SubjectResult:
    """A student's annual classification in one subject (``grade`` None: none given)."""

    subject: str
    counts_towards_average: bool = True
    grade: int | None = None
    text: str = ""
    outcome: str = ""  # "", "nkl", "zw"
    exam_allowed: bool = False
    exam_grade: int | None = None


@dataclass(frozen=True)
class SchoolRule:
    distinction_average: Decimal = Decimal("4.75")
    distinction_behaviour: str = "bdb"


@dataclass
class Decision:
    outcome: str
    average: Decimal | None = None
    reasons: list[str] = field(default_factory=list)


def _average(grades: Iterable[int]) -> Decimal | None:
    grades = list(grades)
    if not grades:
        return None
    return (Decimal(sum(grades)) / len(grades)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def behaviour_at_least(value: str, minimum: str) -> bool:
    if value not in BEHAVIOUR_ORDER or minimum not in BEHAVIOUR_ORDER:
        return False
    return BEHAVIOUR_ORDER.index(value) <= BEHAVIOUR_ORDER.index(minimum)


def decide(
    results: Iterable[SubjectResult],
    *,
    behaviour: str,
    descriptive: bool,
    last_class: bool,
    rule: SchoolRule = SchoolRule(),
) -> Decision:
    """The outcome for one student (see the module's note)."""
    reasons: list[str] = []
    counted: list[int] = []
    for r in sorted(results, key=lambda r: r.subject):
        exempt_from_blocking = is_religion_or_ethics(r.subject)
        grade = r.grade
        if r.outcome == "zw":
            continue
        if r.outcome == "nkl":
            if r.exam_allowed and r.exam_grade:
                grade = r.exam_grade
            elif not exempt_from_blocking:
                if r.exam_allowed:
                    reasons.append(
                        _("%(subject)s: not classified, the classification exam is pending")
                        % {"subject": r.subject}
                    )
                else:
                    reasons.append(_("%(subject)s: not classified") % {"subject": r.subject})
                continue
        if descriptive:  # promoted by default (G-10): nothing else to check
            continue
        if grade is None:
            if not exempt_from_blocking and r.outcome != "nkl":
                reasons.append(_("%(subject)s: no annual grade") % {"subject": r.subject})
            continue
        if grade == 1 and not exempt_from_blocking:
            reasons.append(_("%(subject)s: niedostateczny") % {"subject": r.subject})
        if r.counts_towards_average:
            counted.append(grade)
    average = None if descriptive else _average(counted)
    if reasons:
        return Decision(NOT_GRADUATED if last_class else NOT_PROMOTED, average, reasons)
    distinction = (
        not descriptive
        and average is not None
        and average >= rule.distinction_average
        and behaviour_at_least(behaviour, rule.distinction_behaviour)
    )
    if last_class:
        return Decision(GRADUATED_DISTINCTION if distinction else GRADUATED, average)
    return Decision(PROMOTED_DISTINCTION if distinction else PROMOTED, average)
