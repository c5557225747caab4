"""The school's grading rules and calendar as the other selectors need them: the
settings row, the ``Rules`` object (one query), the categories, the year's terms and the
proposals' deadline.
"""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, CharField, DecimalField, F, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from dziennik.schools.models import Term

from ..models import (
    Assessment,
    AverageThreshold,
    ClassificationGrade,
    Grade,
    GradeCategory,
    GradingSettings,
    PointScaleStep,
    ScaleGradeName,
    SpecialMark,
)
from ..rules import DEFAULT_SCALE_NAMES, Entry, MarkRule, Rules


# --- rules --------------------------------------------------------------------------
def settings_for(school_id: int) -> GradingSettings:
    """The school's settings row, or unsaved defaults when the school has none yet."""
    found = GradingSettings.objects.filter(school_id=school_id).first()
    return found or GradingSettings(school_id=school_id)


def _rule_rows(school_id: int) -> list[tuple]:
    """The school's special marks, point scale and thresholds in one query (UNION ALL).

    Every row is ``(kind, symbol, rule, value, count, number, is_homework)``: a mark
    uses all of them, a point step puts its percentage in ``number``, a threshold its
    grade in ``count`` and its minimum average in ``value``, a name of the scale its
    grade in ``count``, its abbreviation in ``symbol`` and its name in ``rule``.
    """
    text, flag = CharField(), BooleanField()
    small, count = DecimalField(max_digits=4, decimal_places=2), IntegerField()
    number = DecimalField(max_digits=5, decimal_places=2)
    columns = ("k", "s", "r", "v", "c", "n", "h")
    marks = (
        SpecialMark.objects.filter(school_id=school_id)
        .order_by()
        .annotate(
            k=Value("m", output_field=text),
            s=F("symbol"),
            r=F("rule"),
            v=F("value"),
            c=Cast("convert_count", count),
            n=F("converted_weight"),
            h=F("is_homework"),
        )
        .values_list(*columns)
    )
    steps = (
        PointScaleStep.objects.filter(school_id=school_id)
        .order_by()
        .annotate(
            k=Value("p", output_field=text),
            s=F("symbol"),
            r=Value("", output_field=text),
            v=Value(None, output_field=small),
            c=Value(None, output_field=count),
            n=F("min_percent"),
            h=Value(False, output_field=flag),
        )
        .values_list(*columns)
    )
    thresholds = (
        AverageThreshold.objects.filter(school_id=school_id)
        .order_by()
        .annotate(
            k=Value("t", output_field=text),
            s=Value("", output_field=text),
            r=Value("", output_field=text),
            v=F("min_average"),
            c=Cast("grade", count),
            n=Value(None, output_field=number),
            h=Value(False, output_field=flag),
        )
        .values_list(*columns)
    )
    names = (
        ScaleGradeName.objects.filter(school_id=school_id)
        .order_by()
        .annotate(
            k=Value("g", output_field=text),
            s=Cast("abbreviation", text),
            r=Cast("name", text),
            v=Value(None, output_field=small),
            c=Cast("grade", count),
            n=Value(None, output_field=number),
            h=Value(False, output_field=flag),
        )
        .values_list(*columns)
    )
    return list(marks.union(steps, thresholds, names, all=True).order_by())


def load_rules(school_id: int, grading: GradingSettings | None = None) -> Rules:
    grading = grading or settings_for(school_id)
    rows = _rule_rows(school_id)
    marks = {
        symbol: MarkRule(
            symbol=symbol,
            rule=rule,
            value=value,
            convert_count=convert_count,
            converted_weight=number,
            is_homework=bool(is_homework),
        )
        for kind, symbol, rule, value, convert_count, number, is_homework in rows
        if kind == "m"
    }
    steps = tuple(
        sorted((number, symbol) for kind, symbol, _r, _v, _c, number, _h in rows if kind == "p")
    )
    thresholds = tuple(sorted((c, value) for kind, _s, _r, value, c, _n, _h in rows if kind == "t"))
    names = dict(DEFAULT_SCALE_NAMES)
    names.update({c: (r, s) for kind, s, r, _v, c, _n, _h in rows if kind == "g"})
    return Rules(
        plus=grading.plus_value,
        minus=grading.minus_value,
        policy=grading.correction_policy,
        marks=marks,
        point_steps=steps,
        thresholds=thresholds,
        pass_threshold=grading.pass_threshold,
        double_plus=grading.double_plus_value,
        double_minus=grading.double_minus_value,
        equals=grading.equals_value,
        names=names,
    )


def categories(school_id: int, *, keep_id: int | None = None) -> list[GradeCategory]:
    """The categories a column may take: the active ones (and ``keep_id``, a column's
    current category, even when the principal has deactivated it since)."""
    return list(
        GradeCategory.objects.filter(Q(is_active=True) | Q(pk=keep_id), school_id=school_id)
    )


def entry_for(grade: Grade, assessment: Assessment, category_counts: bool) -> Entry:
    return Entry(
        key=grade.pk,
        symbol=grade.symbol,
        weight=assessment.weight,
        counts=category_counts and assessment.kind != Assessment.Kind.DESCRIPTIVE,
        points=grade.points,
        max_points=assessment.max_points,
        corrects=grade.corrects_id,
        order=(grade.created_at or timezone.now(), grade.pk or 0),
        date=assessment.date,
    )


def proposal_deadline(term: Term, grading: GradingSettings) -> datetime.date:
    """The day by which parents must have the term's proposed grades (*przewidywane*):
    ``proposal_notice_days`` before the term ends. From that day on the proposals count
    as published, whether or not the teacher pressed "publish"."""
    return term.end_date - datetime.timedelta(days=grading.proposal_notice_days)


def proposal_visible(
    cg: ClassificationGrade, terms: list[Term], grading: GradingSettings, today: datetime.date
) -> bool:
    """Whether parents and students see a classification grade of one of the year's
    ``terms``: a proposal only once published or once its deadline has come (for a
    final grade, the deadline before the year's last term ends)."""
    if not cg.is_proposal or cg.published_at is not None:
        return True
    if cg.kind == ClassificationGrade.Kind.FINAL:
        term = terms[-1]
    else:
        term = next(t for t in terms if t.pk == cg.term_id)
    return today >= proposal_deadline(term, grading)


def year_terms(school_year_id: int) -> list[Term]:
    return list(Term.objects.filter(school_year_id=school_year_id).order_by("number"))


def pick_term(terms: list[Term], term_id: int | None, today: datetime.date) -> Term | None:
    if term_id is not None:
        for term in terms:
            if term.pk == term_id:
                return term
        raise Http404
    for term in terms:
        if term.start_date <= today <= term.end_date:
            return term
    return terms[-1] if terms else None
