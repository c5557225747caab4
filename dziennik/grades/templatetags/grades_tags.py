import html

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` in templates (missing → None)."""
    if not mapping:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def split(value: str):
    return value.split()


@register.filter
def plain(value) -> str:
    """A number for a data attribute: never localized, empty for None."""
    return "" if value is None else str(value)


# --- the overview's rows and chips, built in Python -------------------------------------------
# The overview shows every grade of the term as a chip with its details: a loop of a few
# hundred small template nodes per subject was most of a freshly built page's cost, so
# these tags write the same markup directly (``grades/overview.html``); so does the row
# of each subject (a dozen subjects of translated labels, links and cells cost as much
# again in template nodes).


def _escape(value) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (plain text in)."""
    return html.escape(str(value))


def _date(value) -> str:
    """``value|date:"d.m.Y"``."""
    return f"{value.day:02d}.{value.month:02d}.{value.year}" if value else ""


@register.simple_tag
def overview_chips(rows) -> str:
    """The chips of one subject's grades (``GradeRow`` list), each with its details."""
    new_label = _escape(gettext("new"))
    weight_label = _escape(gettext("weight"))
    correction_label = _escape(gettext("correction of"))
    comment_label = _escape(gettext("Comment"))
    out_of = gettext("out of %(max)s points")  # as blocktranslate: only the value escaped
    numbers: dict = {}  # a few weights and point maxima, each formatted once

    def number(value) -> str:
        if value not in numbers:
            numbers[value] = floatformat(value, "-2")
        return numbers[value]

    parts = []
    for row in rows:
        grade, assessment = row.grade, row.assessment
        pk = grade.pk
        text = grade.text
        classes = "chip"
        if row.is_new:
            classes += " is-new"
        if text:
            classes += " descriptive"
            shown = f'<span class="grade-text">{_escape(text)}</span>'
        else:
            shown = _escape(grade.display)
        if row.is_new:
            shown += f'<span class="visually-hidden"> ({new_label})</span>'
        facts = (
            f"{_date(assessment.date)} · {_escape(row.category_name)} · {weight_label} "
            f"{number(assessment.weight)}"
        )
        if row.teacher_name:
            facts += f" · {_escape(row.teacher_name)}"
        if assessment.max_points:
            facts += " · " + out_of % {"max": _escape(number(assessment.max_points))}
        correction = (
            f"<span>{correction_label} {_escape(row.correction_of.display)}</span>"
            if row.correction_of
            else ""
        )
        comment = f"<span>{comment_label}: {_escape(grade.comment)}</span>" if grade.comment else ""
        parts.append(
            f'\n      <span class="chip-wrap">\n'
            f'        <button type="button" class="{classes}" data-colour="{_escape(row.colour)}"'
            f' data-grade="{pk}" aria-describedby="chip-d-{pk}">{shown}</button>\n'
            f'        <span class="chip-details" id="chip-d-{pk}" role="tooltip">\n'
            f"          <strong>{_escape(assessment.name)}</strong>\n"
            f'          <span class="chip-facts">{facts}</span>\n'
            f"          {correction}\n"
            f"          {comment}\n"
            f"        </span>\n"
            f"      </span>"
        )
    return mark_safe("".join(parts))  # noqa: S308 – every value above is escaped


@register.simple_tag
def overview_rows(report, descriptive) -> str:
    """One ``<li>`` per subject of the report: its link to the full tables, the number of
    new grades, the chips, the average and the term and final grades (and proposals)."""
    query = f"?okres={report.term.pk}" if report.term else ""
    link = _escape(reverse("grades:student", args=[report.student.pk]) + query)
    labels = {
        "average": conditional_escape(gettext("Average")),
        "proposed": conditional_escape(pgettext("overview", "Proposed term grade")),
        "term": conditional_escape(pgettext("overview", "Term grade")),
        "proposed_final": conditional_escape(pgettext("overview", "Proposed final grade")),
        "final": conditional_escape(pgettext("overview", "Final grade")),
        "none": conditional_escape(gettext("No grades yet.")),
    }
    parts = []
    for s in report.subjects:
        if not s.html:  # not kept (``student_report(parts=...)``): written now
            s.html = _overview_row(s, link, labels, descriptive)
        parts.append(s.html)
    return mark_safe("".join(parts))  # noqa: S308 – every value is escaped


def _overview_row(s, link: str, labels: dict, descriptive) -> str:
    """One subject's ``<li>`` of ``overview_rows``."""
    pk = s.subject.pk
    new_count = s.new_count
    badge = (
        '<span class="badge new">'
        + ngettext("%(n)s new", "%(n)s new", new_count) % {"n": new_count}
        + "</span>"
        if new_count
        else ""
    )
    chips = overview_chips(s.rows) if s.rows else f'<span class="muted">{labels["none"]}</span>'
    average = ""
    if not descriptive or s.average is not None:
        shown = _escape(localize(s.average)) if s.average else "–"
        average = (
            f'<div><dt>{labels["average"]}</dt><dd class="ov-average" '
            f'data-value="{plain(s.average)}">{shown}</dd></div>'
        )
    finals = ""
    if s.proposed_final or s.final_grade:
        finals = (
            f'<div><dt>{labels["proposed_final"]}</dt><dd class="ov-proposed-final">'
            f"{classification_cell(s.proposed_final)}</dd></div>\n"
            f'      <div><dt>{labels["final"]}</dt><dd class="ov-final">'
            f"{classification_cell(s.final_grade)}</dd></div>"
        )
    return (
        f'  <li class="ov-row" id="ov-subject-{pk}" data-subject="{pk}">\n'
        f'    <h2 class="ov-subject"><a href="{link}#subject-{pk}">'
        f"{_escape(s.subject.name)}</a>\n"
        f"      {badge}</h2>\n"
        f'    <div class="ov-chips">\n'
        f"      {chips}\n"
        f"    </div>\n"
        f'    <dl class="ov-stats">\n'
        f"      {average}\n"
        f'      <div><dt>{labels["proposed"]}</dt><dd class="ov-proposed">'
        f"{classification_cell(s.proposed_term)}</dd></div>\n"
        f'      <div><dt>{labels["term"]}</dt><dd class="ov-term">'
        f"{classification_cell(s.term_grade)}</dd></div>\n"
        f"      {finals}\n"
        f"    </dl>\n"
        f"  </li>\n"
    )


@register.simple_tag
def classification_cell(cg) -> str:
    """A term or final grade (or its proposal) in the overview: ``–`` when not given."""
    if not cg:
        return "–"
    if cg.outcome:
        return format_html("<strong>{}</strong>", getattr(cg, "full", cg.outcome))
    if cg.grade:
        abbreviation = getattr(cg, "abbreviation", "")
        if not abbreviation:
            return format_html("<strong>{}</strong>", cg.grade)
        # the abbreviation on screen, the full name for screen readers (G-01)
        return format_html(
            '<strong>{} <span aria-hidden="true">{}</span> '
            '<span class="visually-hidden">{}</span></strong>',
            cg.grade,
            abbreviation,
            cg.full,
        )
    return format_html(
        '<span class="chip-wrap"><button type="button" class="chip descriptive" '
        'aria-describedby="cg-d-{}">{}</button><span class="chip-details" id="cg-d-{}" '
        'role="tooltip"><span class="grade-text">{}</span></span></span>',
        cg.pk,
        gettext("descriptive"),
        cg.pk,
        cg.text,
    )
