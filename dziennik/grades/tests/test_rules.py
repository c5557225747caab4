"""Averages by the school's rules, against hand-computed values (domain G-03…G-09)."""

import datetime
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dziennik.grades.rules import (
    Entry,
    InvalidGrade,
    MarkRule,
    Rules,
    counted_values,
    homework_grading_forbidden,
    lowest_grade_for_target,
    overall_average,
    weighted_average,
)

D = Decimal
MARKS = {
    "np": MarkRule("np", "ignored"),
    "bz": MarkRule("bz", "ignored", is_homework=True),
    "0": MarkRule("0", "ignored"),
    "+": MarkRule("+", "converted", value=D(5), convert_count=3, converted_weight=D(1)),
    "-": MarkRule("-", "converted", value=D(1), convert_count=3, converted_weight=D(1)),
}
STEPS = tuple(
    (D(p), s)
    for p, s in (("0", "1"), ("30", "2"), ("50", "3"), ("75", "4"), ("90", "5"), ("100", "6"))
)
THRESHOLDS = tuple(
    (g, D(a))
    for g, a in ((1, "0"), (2, "1.75"), (3, "2.75"), (4, "3.75"), (5, "4.75"), (6, "5.75"))
)
HALF = Rules(plus=D("0.5"), minus=D("0.25"), marks=MARKS, point_steps=STEPS, thresholds=THRESHOLDS)
THIRD = Rules(plus=D("0.33"), minus=D("0.33"), marks=MARKS, point_steps=STEPS)


def e(key, symbol="", weight=1, **kw):
    return Entry(key=key, symbol=symbol, weight=D(weight), order=(kw.pop("n", key),), **kw)


def test_modifier_values_are_the_schools():
    assert HALF.parse("4+")[1] == D("4.5")
    assert HALF.parse("5-")[1] == D("4.75")
    assert THIRD.parse("4+")[1] == D("4.33")
    assert THIRD.parse("5-")[1] == D("4.67")
    assert HALF.parse(" 3− ")[1] == D("2.75")  # a typographic minus is accepted


@pytest.mark.parametrize("raw", ["7", "6+", "1-", "abc", "4++", "", "4,5"])
def test_not_a_grade(raw):
    with pytest.raises(InvalidGrade):
        HALF.parse(raw)


def test_weighted_average_with_modifiers():
    # (4.5×3 + 4.75×2 + 3×1) / 6 = 26 / 6 = 4.333…
    assert weighted_average([e(1, "4+", 3), e(2, "5-", 2), e(3, "3", 1)], HALF) == D("4.33")
    # (4.33 + 4.67) / 2
    assert weighted_average([e(1, "4+"), e(2, "5-")], THIRD) == D("4.50")


def test_special_marks_not_counted_by_default():
    assert weighted_average([e(1, "5"), e(2, "np"), e(3, "0"), e(4, "bz")], HALF) == D("5.00")
    assert weighted_average([e(1, "np")], HALF) is None


def test_special_mark_counted_as_a_value():
    rules = Rules(marks={**MARKS, "0": MarkRule("0", "value", value=D(1))})
    assert weighted_average([e(1, "5"), e(2, "0")], rules) == D("3.00")


def test_three_pluses_make_a_five():
    base = [e(1, "3")]
    plus = [e(10 + i, "+", weight=0) for i in range(6)]
    assert weighted_average(base + plus[:2], HALF) == D("3.00")  # two are not enough
    assert weighted_average(base + plus[:3], HALF) == D("4.00")  # (3 + 5) / 2
    assert weighted_average(base + plus[:5], HALF) == D("4.00")
    assert weighted_average(base + plus[:6], HALF) == D("4.33")  # (3 + 5 + 5) / 3
    minus = [e(20 + i, "-", weight=0) for i in range(3)]
    assert weighted_average(base + minus, HALF) == D("2.00")  # (3 + 1) / 2


def test_category_outside_the_average():
    assert weighted_average([e(1, "2", counts=False), e(2, "5")], HALF) == D("5.00")


def test_no_weights_means_arithmetic_mean():
    assert weighted_average([e(1, "4", 0), e(2, "5", 0)], HALF) == D("4.50")


def test_point_grades_use_the_percentage_table():
    def pts(p, key=1, w=1):
        return Entry(key=key, points=D(p), max_points=D(20), weight=D(w), order=(key,))

    assert weighted_average([pts(15)], HALF) == D("4.00")  # 75 %
    assert weighted_average([pts(17)], HALF) == D("4.00")  # 85 %
    assert weighted_average([pts(18)], HALF) == D("5.00")  # 90 %
    assert weighted_average([pts(20)], HALF) == D("6.00")
    assert weighted_average([pts(9)], HALF) == D("2.00")  # 45 %
    assert weighted_average([pts(18, 1, 2), e(2, "3")], HALF) == D("4.33")  # (10 + 3) / 3
    with pytest.raises(InvalidGrade):
        HALF.points_symbol(D(21), D(20))


@pytest.mark.parametrize(
    ("policy", "expected_better_correction", "expected_worse_correction"),
    [
        ("both", D("2.86"), D("2.86")),  # (1×3 + 4×3 + 5) / 7 ; (3×3 + 2×3 + 5) / 7
        ("better", D("4.25"), D("3.50")),  # (4×3 + 5) / 4 ; (3×3 + 5) / 4
        ("latest", D("4.25"), D("2.75")),  # (4×3 + 5) / 4 ; (2×3 + 5) / 4
    ],
)
def test_corrections_by_policy(policy, expected_better_correction, expected_worse_correction):
    rules = Rules(plus=D("0.5"), minus=D("0.25"), policy=policy, marks=MARKS)
    improved = [e(1, "1", 3, n=1), e(2, "4", 3, corrects=1, n=3), e(3, "5", 1, n=2)]
    assert weighted_average(improved, rules) == expected_better_correction
    worse = [e(1, "3", 3, n=1), e(2, "2", 3, corrects=1, n=3), e(3, "5", 1, n=2)]
    assert weighted_average(worse, rules) == expected_worse_correction


def test_overall_average_and_thresholds():
    assert overall_average([D("4.00"), D("5.00"), None]) == D("4.50")
    assert overall_average([]) is None
    assert HALF.proposed_grade(D("4.74")) == 4
    assert HALF.proposed_grade(D("4.75")) == 5
    assert HALF.proposed_grade(D("1.74")) == 1
    assert HALF.proposed_grade(D("5.75")) == 6


def test_what_do_i_need():
    entries = [e(1, "3")]
    # (3 + v) / 2 ≥ 4 → v ≥ 5; 5- = 4.75 is not enough
    assert lowest_grade_for_target(entries, HALF, weight=D(1), target=D(4)) == ("5", D(5))
    # (3 + 3v) / 4 ≥ 4 → v ≥ 4.33 → 4+ (4.5)
    assert lowest_grade_for_target(entries, HALF, weight=D(3), target=D(4)) == ("4+", D("4.5"))
    assert lowest_grade_for_target([e(1, "1")], HALF, weight=D(1), target=D(6)) is None


def test_homework_law():
    day = datetime.date(2024, 4, 1)
    assert homework_grading_forbidden(is_public=True, is_primary=True, level=4, day=day)
    assert homework_grading_forbidden(is_public=True, is_primary=True, level=2, day=day)
    assert not homework_grading_forbidden(
        is_public=True, is_primary=True, level=4, day=day - datetime.timedelta(days=1)
    )
    assert not homework_grading_forbidden(is_public=False, is_primary=True, level=4, day=day)
    assert not homework_grading_forbidden(is_public=True, is_primary=False, level=2, day=day)


SYMBOLS = [s for s, _v in HALF.scale()] + ["np", "0", "+", "-", "bz"]


@st.composite
def gradebooks(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    entries = []
    for i in range(n):
        symbol = draw(st.sampled_from(SYMBOLS))
        weight = D(draw(st.integers(min_value=0, max_value=6)))
        counts = draw(st.booleans()) or i == 0
        corrects = None
        if i and draw(st.integers(0, 4)) == 0:
            corrects = draw(st.integers(0, i - 1))
        entries.append(
            Entry(key=i, symbol=symbol, weight=weight, counts=counts, corrects=corrects, order=(i,))
        )
    policy = draw(st.sampled_from(["both", "better", "latest"]))
    seed = draw(st.integers(0, 10_000))
    return entries, policy, seed


@settings(max_examples=300, deadline=None)
@given(gradebooks())
def test_average_is_independent_of_entry_order_and_within_range(case):
    entries, policy, seed = case
    rules = Rules(plus=D("0.5"), minus=D("0.25"), policy=policy, marks=MARKS)
    shuffled = entries[:]
    random.Random(seed).shuffle(shuffled)
    avg = weighted_average(entries, rules)
    assert weighted_average(shuffled, rules) == avg
    values = [v for v, _w in counted_values(entries, rules)]
    if avg is None:
        assert values == []
    else:
        assert min(values) <= avg <= max(values)
        assert isinstance(avg, Decimal)
