"""The school's grading rules as a pure-Python object, and exact averages (``Decimal``).

Nothing here touches the database: ``selectors.load_rules`` builds a ``Rules`` from the
school's rows, and every average in the register (the parent's page, the teacher's grid,
class statistics, "What do I need?") goes through ``weighted_average``.

The rules follow the domain notes: modifiers valued by the school (G-03); Σ(value ×
weight) / Σ weight over grades that count, falling back to the arithmetic mean when no
counted grade has a weight (G-04); special marks never turned into numbers unless the
school says so (G-06); corrections counted by the school's policy (G-08); points turned
into grades by the school's percentage table (G-09).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

TWO_PLACES = Decimal("0.01")
HOMEWORK_BAN_SINCE = datetime.date(2024, 4, 1)
_NUMERIC = re.compile(r"^([1-6])(\+\+|--|\+|-|=)?$")
# The legal names of the classification scale (G-01), used where a school has not
# written its own (``ScaleGradeName``): grade → (name, abbreviation).
DEFAULT_SCALE_NAMES: dict[int, tuple[str, str]] = {
    6: ("celujący", "cel"),
    5: ("bardzo dobry", "bdb"),
    4: ("dobry", "db"),
    3: ("dostateczny", "dst"),
    2: ("dopuszczający", "dop"),
    1: ("niedostateczny", "ndst"),
}
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-"})


# The last class of each school type: its annual grades are also the final ones
# (*oceny końcowe*, G-02) and its students complete the school (G-15).
LAST_LEVEL = {"primary": 8, "lyceum": 4, "technical": 5, "vocational": 3, "post_secondary": 2}


def is_last_class(school_type: str, level: int) -> bool:
    last = LAST_LEVEL.get(school_type)
    return last is not None and level >= last


class InvalidGrade(ValueError):
    """What the teacher typed is not a grade under the school's rules."""


def quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


_REMEMBERED_SYMBOLS = 512  # a bound on what ``Rules.value_of`` keeps (typed text is free)


def normalize_symbol(raw: str) -> str:
    return (raw or "").strip().translate(_DASHES).lower().replace(" ", "")


@dataclass(frozen=True)
class MarkRule:
    symbol: str
    rule: str  # "ignored" | "value" | "converted"
    value: Decimal | None = None
    convert_count: int | None = None
    converted_weight: Decimal = Decimal(1)
    is_homework: bool = False


@dataclass(frozen=True)
class Rules:
    """One school's grading rules."""

    plus: Decimal = Decimal("0.5")
    minus: Decimal = Decimal("0.25")
    policy: str = "both"
    marks: dict[str, MarkRule] = field(default_factory=dict)
    point_steps: tuple[tuple[Decimal, str], ...] = ()  # (min percent, symbol), ascending
    thresholds: tuple[tuple[int, Decimal], ...] = ()  # (grade, min average), ascending
    pass_threshold: Decimal = Decimal("1.75")
    # The modifiers only some statutes use (G-03); ``None``: not used, refused.
    double_plus: Decimal | None = None
    double_minus: Decimal | None = None
    equals: Decimal | None = None
    names: dict[int, tuple[str, str]] = field(default_factory=lambda: dict(DEFAULT_SCALE_NAMES))

    # --- the scale's names ------------------------------------------------------------
    def grade_name(self, grade: int | None) -> str:
        """The grade written in full (``bardzo dobry``); "" for no grade."""
        return self.names.get(grade, ("", ""))[0] if grade else ""

    def grade_abbreviation(self, grade: int | None) -> str:
        return self.names.get(grade, ("", ""))[1] if grade else ""

    def modifier_values(self) -> dict[str, Decimal]:
        """The modifiers the school uses and the value each adds (negative: takes)."""
        values = {"+": self.plus, "-": -self.minus}
        for symbol, value in (("++", self.double_plus), ("--", self.double_minus)):
            if value is not None:
                values[symbol] = value if symbol == "++" else -value
        if self.equals is not None:
            values["="] = -self.equals
        return values

    # --- single symbols ------------------------------------------------------------
    def usable_marks(self, *, without_homework: bool = False) -> list[str]:
        """The special marks a teacher may type; where homework is not graded (G-07)
        the homework marks (``bz``) are not among them."""
        return sorted(
            symbol
            for symbol, mark in self.marks.items()
            if not (without_homework and mark.is_homework)
        )

    def parse(
        self, raw: str, *, without_homework: bool = False
    ) -> tuple[str, Decimal | None, MarkRule | None]:
        """``(symbol, numeric value or None, mark rule or None)``; raises ``InvalidGrade``.
        ``without_homework``: the refusal lists the marks usable where homework is not
        graded (a homework mark typed there is still parsed: its caller says why not)."""
        symbol = normalize_symbol(raw)
        if not symbol:
            raise InvalidGrade(_("Enter a grade."))
        if symbol in self.marks:
            mark = self.marks[symbol]
            return symbol, (mark.value if mark.rule == "value" else None), mark
        match = _NUMERIC.match(symbol)
        modifiers = self.modifier_values()
        modifier = match.group(2) or "" if match else ""
        if (
            not match
            or (modifier and modifier not in modifiers)
            or (match.group(1) == "6" and modifier.startswith("+"))
            or (match.group(1) == "1" and modifier in ("-", "--", "="))
        ):
            raise InvalidGrade(
                _("“%(symbol)s” is not a grade. Use 1–6 with %(modifiers)s, or one of: %(marks)s.")
                % {
                    "symbol": raw.strip(),
                    "modifiers": " ".join(modifiers),
                    "marks": ", ".join(self.usable_marks(without_homework=without_homework)) or "–",
                }
            )
        return symbol, Decimal(match.group(1)) + modifiers.get(modifier, Decimal(0)), None

    def value_of(self, symbol: str) -> Decimal | None:
        # Remembered per symbol: the rules never change once built, and a page averages
        # hundreds of grades written with a dozen symbols. Kept outside the fields (not
        # compared; absent from rules kept in the cache by an earlier release).
        memo = self.__dict__.get("_value_memo")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_value_memo", memo)
        elif symbol in memo:
            return memo[symbol]
        try:
            value = self.parse(symbol)[1]
        except InvalidGrade:
            value = None
        if len(memo) < _REMEMBERED_SYMBOLS:
            memo[symbol] = value
        return value

    def points_symbol(self, points: Decimal, max_points: Decimal) -> str:
        if points < 0 or points > max_points:
            raise InvalidGrade(
                _("Points must be between 0 and %(max)s.") % {"max": f"{max_points.normalize():f}"}
            )
        if not self.point_steps:
            raise InvalidGrade(_("The school has no point scale."))
        percent = points * 100 / max_points
        chosen = self.point_steps[0][1]
        for min_percent, symbol in self.point_steps:
            if percent >= min_percent:
                chosen = symbol
        return chosen

    def proposed_grade(self, average: Decimal | None) -> int | None:
        """The grade the school's table suggests for an average (the teacher decides)."""
        if average is None:
            return None
        result = 1
        for grade, min_average in self.thresholds:
            if average >= min_average:
                result = max(result, grade)
        return result

    def scale(self) -> list[tuple[str, Decimal]]:
        """Every numeric grade of the scale, lowest first (for "What do I need?")."""
        seen: dict[Decimal, str] = {}
        for base in range(1, 7):
            for mod in ("--", "=", "-", "", "+", "++"):
                symbol = f"{base}{mod}"
                value = self.value_of(symbol)
                if value is not None and value not in seen:
                    seen[value] = symbol
        return sorted(((s, v) for v, s in seen.items()), key=lambda item: item[1])


@dataclass(frozen=True)
class Entry:
    """One grade as the average sees it."""

    key: object
    symbol: str = ""
    weight: Decimal = Decimal(1)
    counts: bool = True  # the category counts and the grade is not descriptive
    points: Decimal | None = None
    max_points: Decimal | None = None
    corrects: object | None = None
    order: tuple = ()
    date: datetime.date | None = None


def entry_value(entry: Entry, rules: Rules) -> Decimal | None:
    if entry.points is not None and entry.max_points:
        try:
            return rules.value_of(rules.points_symbol(entry.points, entry.max_points))
        except InvalidGrade:
            return None
    if not entry.symbol:
        return None
    return rules.value_of(entry.symbol)


def counted_values(entries: Iterable[Entry], rules: Rules) -> list[tuple[Decimal, Decimal]]:
    """The (value, weight) pairs that count, after corrections and conversions."""
    entries = [e for e in entries if e.counts]
    by_key = {e.key: e for e in entries}

    def root(e: Entry) -> object:
        seen = set()
        while e.corrects is not None and e.corrects in by_key and e.key not in seen:
            seen.add(e.key)
            e = by_key[e.corrects]
        return e.key

    groups: dict[object, list[Entry]] = defaultdict(list)
    mark_counts: dict[str, int] = defaultdict(int)
    for e in entries:
        mark = rules.marks.get(normalize_symbol(e.symbol)) if e.points is None else None
        if mark is not None and mark.rule == "converted":
            mark_counts[mark.symbol] += 1
            continue
        groups[root(e)].append(e)

    result: list[tuple[Decimal, Decimal]] = []
    for group in groups.values():
        valued = [(e, v) for e in group if (v := entry_value(e, rules)) is not None]
        if not valued:
            continue
        if len(group) == 1 or rules.policy == "both":
            result.extend((v, e.weight) for e, v in valued)
        elif rules.policy == "better":
            e, v = max(valued, key=lambda item: (item[1], item[0].order))
            result.append((v, e.weight))
        else:  # latest
            e, v = max(valued, key=lambda item: item[0].order)
            result.append((v, e.weight))
    for symbol, count in sorted(mark_counts.items()):
        mark = rules.marks[symbol]
        for _n in range(count // (mark.convert_count or 1)):
            result.append((mark.value, mark.converted_weight))
    return result


def weighted_average(entries: Iterable[Entry], rules: Rules) -> Decimal | None:
    """Σ(value × weight) / Σ weight over what counts; the plain mean if no weights."""
    pairs = counted_values(entries, rules)
    if not pairs:
        return None
    total_weight = sum((w for _v, w in pairs), Decimal(0))
    if total_weight > 0:
        return quantize(sum((v * w for v, w in pairs), Decimal(0)) / total_weight)
    return quantize(sum((v for v, _w in pairs), Decimal(0)) / len(pairs))


def overall_average(subject_averages: Iterable[Decimal | None]) -> Decimal | None:
    """The mean of the subject averages (only subjects that count should be passed)."""
    values = [a for a in subject_averages if a is not None]
    if not values:
        return None
    return quantize(sum(values, Decimal(0)) / len(values))


def average_series(entries: Sequence[Entry], rules: Rules) -> list[tuple[datetime.date, Decimal]]:
    """The average after each day that had grades (for the progress chart)."""
    dated = sorted((e for e in entries if e.date), key=lambda e: (e.date, e.order))
    series: list[tuple[datetime.date, Decimal]] = []
    days = sorted({e.date for e in dated})
    for day in days:
        avg = weighted_average([e for e in dated if e.date <= day], rules)
        if avg is not None:
            series.append((day, avg))
    return series


def overall_series(
    per_subject: dict[object, list[tuple[datetime.date, Decimal]]],
) -> list[tuple[datetime.date, Decimal]]:
    """At each day, the mean of every subject's latest average so far."""
    days = sorted({day for series in per_subject.values() for day, _a in series})
    result = []
    for day in days:
        latest = []
        for series in per_subject.values():
            before = [a for d, a in series if d <= day]
            if before:
                latest.append(before[-1])
        avg = overall_average(latest)
        if avg is not None:
            result.append((day, avg))
    return result


def lowest_grade_for_target(
    entries: Sequence[Entry], rules: Rules, *, weight: Decimal, target: Decimal
) -> tuple[str, Decimal] | None:
    """The lowest grade on a next assessment of ``weight`` that gives ``target`` or more.

    ``None`` when even the best grade is not enough.
    """
    for symbol, value in rules.scale():
        extra = Entry(key=("next",), symbol=symbol, weight=weight, order=(datetime.date.max,))
        avg = weighted_average([*entries, extra], rules)
        if avg is not None and avg >= target:
            return symbol, value
    return None


def need_answer(
    entries: Sequence[Entry], rules: Rules, *, weight: Decimal, target: Decimal
) -> dict:
    """ "What do I need?" in full: the current average, the lowest next grade that reaches
    ``target`` (``result``), whether even the best is not enough (``impossible``), and
    whether the target is met already whatever the next grade (``already_met``)."""
    current = weighted_average(entries, rules)
    found = lowest_grade_for_target(entries, rules, weight=weight, target=target)
    lowest = rules.scale()[0][0] if rules.scale() else None
    return {
        "current": current,
        "result": found,
        "impossible": found is None,
        "already_met": current is not None
        and current >= target
        and found is not None
        and found[0] == lowest,
    }


def homework_grading_forbidden(*, is_public: bool, is_primary: bool, level: int, day) -> bool:
    """Public primary school, classes 1–8, from 1 April 2024: homework is not graded (G-07)."""
    return is_public and is_primary and 1 <= level <= 8 and day >= HOMEWORK_BAN_SINCE
