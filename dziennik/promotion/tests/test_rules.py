"""Who is promoted: every rule of ``promotion.rules.decide`` (no database)."""

from decimal import Decimal

from dziennik.promotion import rules
from dziennik.promotion.rules import SchoolRule, SubjectResult, decide, is_last_class


def grades(*pairs, **extra):
    return [SubjectResult(subject=name, grade=grade, **extra) for name, grade in pairs]


def test_all_passed_is_promoted_with_the_average():
    decision = decide(
        grades(("Matematyka", 4), ("Historia", 5)),
        behaviour="db",
        descriptive=False,
        last_class=False,
    )
    assert (decision.outcome, decision.average, decision.reasons) == (
        rules.PROMOTED,
        Decimal("4.50"),
        [],
    )


def test_a_fail_blocks_promotion():
    decision = decide(
        grades(("Matematyka", 1), ("Historia", 5)),
        behaviour="wz",
        descriptive=False,
        last_class=False,
    )
    assert decision.outcome == rules.NOT_PROMOTED
    assert decision.reasons == ["Matematyka: niedostateczny"]


def test_religion_and_ethics_never_block_promotion():
    decision = decide(
        [
            SubjectResult("Religia", grade=1, counts_towards_average=False),
            SubjectResult("Etyka", outcome="nkl"),
            SubjectResult("Matematyka", grade=4),
        ],
        behaviour="db",
        descriptive=False,
        last_class=False,
    )
    assert (decision.outcome, decision.average) == (rules.PROMOTED, Decimal("4.00"))


def test_religion_counts_in_the_average_when_the_school_says_so():
    decision = decide(
        [SubjectResult("Religia", grade=6), SubjectResult("Matematyka", grade=4)],
        behaviour="db",
        descriptive=False,
        last_class=False,
    )
    assert decision.average == Decimal("5.00")


def test_not_classified_blocks_unless_the_exam_was_allowed_and_passed():
    base = [SubjectResult("Historia", grade=5)]
    nkl = SubjectResult("Matematyka", outcome="nkl")
    decision = decide([*base, nkl], behaviour="db", descriptive=False, last_class=False)
    assert (decision.outcome, decision.reasons) == (
        rules.NOT_PROMOTED,
        ["Matematyka: nieklasyfikowanie"],
    )
    pending = SubjectResult("Matematyka", outcome="nkl", exam_allowed=True)
    decision = decide([*base, pending], behaviour="db", descriptive=False, last_class=False)
    assert decision.outcome == rules.NOT_PROMOTED
    assert "egzamin klasyfikacyjny jeszcze się nie odbył" in decision.reasons[0]
    passed = SubjectResult("Matematyka", outcome="nkl", exam_allowed=True, exam_grade=3)
    decision = decide([*base, passed], behaviour="db", descriptive=False, last_class=False)
    assert (decision.outcome, decision.average) == (rules.PROMOTED, Decimal("4.00"))
    failed = SubjectResult("Matematyka", outcome="nkl", exam_allowed=True, exam_grade=1)
    decision = decide([*base, failed], behaviour="db", descriptive=False, last_class=False)
    assert decision.outcome == rules.NOT_PROMOTED


def test_exempt_neither_blocks_nor_counts():
    decision = decide(
        [SubjectResult("Wychowanie fizyczne", outcome="zw"), SubjectResult("Matematyka", grade=5)],
        behaviour="bdb",
        descriptive=False,
        last_class=False,
    )
    assert (decision.outcome, decision.average) == (rules.PROMOTED_DISTINCTION, Decimal("5.00"))


def test_a_missing_annual_grade_blocks():
    decision = decide(
        [SubjectResult("Matematyka", grade=5), SubjectResult("Historia")],
        behaviour="bdb",
        descriptive=False,
        last_class=False,
    )
    assert decision.reasons == ["Historia: brak oceny rocznej"]


def test_distinction_needs_the_average_and_the_behaviour():
    at = grades(("A", 5), ("B", 5), ("C", 5), ("D", 4))  # 4.75
    below = grades(("A", 5), ("B", 5), ("C", 4), ("D", 5), ("E", 5), ("F", 4), ("G", 5))  # 4.71
    assert decide(at, behaviour="bdb", descriptive=False, last_class=False).outcome == (
        rules.PROMOTED_DISTINCTION
    )
    assert decide(below, behaviour="wz", descriptive=False, last_class=False).outcome == (
        rules.PROMOTED
    )
    assert decide(at, behaviour="db", descriptive=False, last_class=False).outcome == (
        rules.PROMOTED
    )
    assert decide(at, behaviour="", descriptive=False, last_class=False).outcome == rules.PROMOTED
    strict = SchoolRule(distinction_average=Decimal("5.00"), distinction_behaviour="wz")
    six = grades(("A", 6), ("B", 4))
    assert decide(at, behaviour="wz", descriptive=False, last_class=False, rule=strict).outcome == (
        rules.PROMOTED
    )
    assert decide(
        six, behaviour="bdb", descriptive=False, last_class=False, rule=strict
    ).outcome == (rules.PROMOTED)
    assert decide(
        six, behaviour="wz", descriptive=False, last_class=False, rule=strict
    ).outcome == (rules.PROMOTED_DISTINCTION)


def test_classes_one_to_three_are_promoted_by_default():
    decision = decide(
        [SubjectResult("Edukacja wczesnoszkolna", text="Czyta płynnie.")],
        behaviour="",
        descriptive=True,
        last_class=False,
    )
    assert (decision.outcome, decision.average) == (rules.PROMOTED, None)
    blocked = decide(
        [SubjectResult("Edukacja wczesnoszkolna", outcome="nkl")],
        behaviour="",
        descriptive=True,
        last_class=False,
    )
    assert blocked.outcome == rules.NOT_PROMOTED


def test_the_last_class_completes_the_school():
    assert is_last_class("primary", 8) and not is_last_class("primary", 7)
    assert is_last_class("lyceum", 4) and is_last_class("technical", 5)
    good = grades(("A", 6), ("B", 5))
    assert decide(good, behaviour="wz", descriptive=False, last_class=True).outcome == (
        rules.GRADUATED_DISTINCTION
    )
    assert decide(good, behaviour="popr", descriptive=False, last_class=True).outcome == (
        rules.GRADUATED
    )
    bad = grades(("A", 1), ("B", 5))
    assert decide(bad, behaviour="wz", descriptive=False, last_class=True).outcome == (
        rules.NOT_GRADUATED
    )
