"""The student's day-by-day grid, written in Python: a freshly built attendance page spent
most of its time in a loop of a few thousand small template nodes (one per mark)."""

import html
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


def _text(value) -> str:
    """``{{ value }}`` of a plain value, escaped: the one helper of the rows written here
    (a grid mark through ``format_html`` took 11 µs, through this 1.3 µs, measured)."""
    return html.escape(str(value))


@register.simple_tag
def day_grid_rows(days) -> str:
    """The rows of ``attendance/student.html``'s grid (``selectors.student_day_grid``):
    one per day, one cell per lesson number, a mark per lesson in it."""
    width = max((len(cells) for _day, cells in days), default=0)
    by_number = [(day, dict(enumerate(cells))) for day, cells in days]
    return mark_safe(grid_rows(grid_cells(by_number), range(width)))  # noqa: S308 – escaped


def grid_cells(days, marks_html: dict | None = None) -> list[tuple]:
    """``[(day, {lesson number: the marks' html})]`` of ``days`` (``[(day, {lesson
    number: [GridCell, ...]})]``): each mark written once per page (``day_grid_rows``)."""
    # the same mark of the same subject, written once (per page, or per ``marks_html``)
    marks_html = {} if marks_html is None else marks_html
    written = []
    for day, cells in days:
        out = {}
        for number, marks in cells.items():
            parts = []
            for m in marks:
                text = marks_html.get(m)
                if text is None:
                    label = f"{_text(m.subject)}: {_text(m.name)}"
                    text = marks_html[m] = (
                        f'<span class="mark base-{_text(m.base)}" '
                        f'data-colour="{_text(m.colour)}" title="{label}">'
                        f"{_text(m.code)}"
                        f'<span class="visually-hidden"> – {label}</span></span>'
                    )
                parts.append(text)
            out[number] = "".join(parts)
        written.append((day, out))
    return written


def grid_rows(cells, numbers) -> str:
    """The grid's rows from ``grid_cells``: one per day, a cell per lesson number of
    ``numbers`` (escaped html, as text)."""
    # ``dateformat.format(day, "D d.m")``, the weekday's name looked up once per page
    weekday = [html.escape(str(WEEKDAYS_ABBR[n])) for n in range(7)]
    rows = []
    for day, by_number in cells:
        out = [
            f'<tr data-date="{day.isoformat()}"><th scope="row">'
            f"{weekday[day.weekday()]} {day.day:02d}.{day.month:02d}</th>"
        ]
        for n in numbers:
            out.append(f'<td class="grid-cell">{by_number.get(n, "")}</td>')
        out.append("</tr>")
        rows.append("".join(out))
    return "".join(rows)


def _date(value) -> str:
    """``value|date:"d.m.Y"``."""
    return f"{value.day:02d}.{value.month:02d}.{value.year}" if value else ""


@register.simple_tag
def absence_rows(absences, deadline) -> str:
    """The rows of the student page's absences and lateness (``student_page_rows``); an
    item that is a ``str`` is rows written already (``written_absence_rows``: a month's,
    kept)."""
    if not absences:
        return format_html('<tr><td colspan="5">{}</td></tr>', gettext("None."))
    return mark_safe(written_absence_rows(absences, deadline))  # noqa: S308 – escaped


def written_absence_rows(absences, deadline) -> str:
    """``absence_rows``'s rows of ``absences`` (escaped html, as text; none for none)."""
    escape = html.escape
    pending = f'<span class="badge">{escape(gettext("pending"))}</span>'
    not_justified = escape(gettext("not justified"))
    until = gettext("can be justified until %(day)s")  # as blocktranslate: value escaped
    overdue = (
        '<span class="overdue">'
        + ngettext(
            "past the justification deadline (%(days)s day)",
            "past the justification deadline (%(days)s days)",
            deadline.days,
        )
        % {"days": deadline.days}
        + "</span>"
    )
    rows = []
    written: dict = {}  # a subject's or kind's name escaped once per call (they repeat)

    def text(value) -> str:
        try:
            return written[value]
        except KeyError:
            done = written[value] = _text(value)
            return done

    for m in absences:
        if type(m) is str:
            rows.append(m)
            continue
        if m["pending"]:
            state = pending
        elif m["excusable"]:
            if m.get("overdue"):
                state = overdue
            else:
                state = not_justified
                if m.get("justify_by"):
                    state += " – " + until % {"day": _date(m["justify_by"])}
        else:
            state = "–"
        rows.append(
            f'<tr data-mark="{m["id"]}"><td>{_date(m["date"])}</td><td>{m["slot"]}</td>'
            f"<td>{text(m['subject'])}</td><td>{text(m['kind_name'])}</td>"
            f"<td>{state}</td></tr>\n    "
        )
    return "".join(rows)  # every value above is escaped


@register.simple_tag
def recent_rows(recent) -> str:
    """The rows of the student page's recent lessons (``student_page_rows``): one per
    lesson of the last two weeks with its topic and the mark."""
    if not recent:
        return no_recent_rows()
    return mark_safe("".join(map(recent_row, recent)))  # noqa: S308 – every value is escaped


def no_recent_rows() -> str:
    return format_html(
        '<tr><td colspan="5">{}</td></tr>', gettext("No lessons in the last two weeks.")
    )


def recent_row(m) -> str:
    """One row of ``recent_rows`` (escaped html, as text)."""
    escape = html.escape
    if m["counts_as"] == "absent":
        kind_class = "kind-absent"
    elif m["kind_base"] == "late":
        kind_class = "kind-late"
    else:
        kind_class = ""
    return (
        f'<tr data-mark="{m["id"]}" data-kind="{_text(m["kind_code"])}">'
        f"<td>{_date(m['date'])}</td><td>{m['slot']}</td><td>{_text(m['subject'])}</td>"
        f'<td class="topic">{escape(m["topic"]) if m["topic"] else "–"}</td>'
        f'<td><span class="{kind_class}">{_text(m["kind_name"])}</span></td></tr>\n    '
    )


# --- the student page's summary and grid heads: the template's loops, written in Python ---
# Each value as ``{{ value }}`` writes it: localized (a percent's decimal comma), escaped.


def _value(value) -> str:
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what ``localize`` writes of a count without grouping
    return conditional_escape(localize(value))


def _percents():
    """``{% if t.percent is not None %}{{ t.percent }}%{% else %}–{% endif %}`` of a
    percent (``statistics.percent``: one decimal place, 0 to 100), as ``localize`` writes
    it in the active language: its decimal separator looked up once per table, not per
    value (``localize`` of a value costs a few format lookups)."""
    separator = str(get_format("DECIMAL_SEPARATOR"))

    def written(value) -> str:
        if value is None:
            return "–"
        if type(value) is not Decimal or not 0 <= value < 1000:
            return f"{_value(value)}%"  # not a percent as ``statistics`` gives them
        return f"{value:f}".replace(".", separator) + "%"

    return written


@register.simple_tag
def grid_numbers(numbers) -> str:
    """The grid's head cells, one per lesson number."""
    lesson = escape(gettext("lesson"))
    return mark_safe(  # noqa: S308 – every value is escaped
        "".join(
            f'<th scope="col" class="num"><span class="visually-hidden">{lesson} </span>'
            f"{_value(n)}</th>"
            for n in numbers
        )
    )


@register.simple_tag
def grid_legend(legend) -> str:
    """The grid's legend: a kind's mark and its name."""
    return mark_safe(  # noqa: S308 – every value is escaped
        "".join(
            f'<div><dt><span class="mark base-{_value(k.base)}" data-colour="{_value(k.colour)}">'
            f"{_value(k.code)}</span></dt><dd>{_value(k.name)}</dd></div>"
            for k in legend
        )
    )


@register.simple_tag
def term_rows(terms) -> str:
    """The summary's rows by term (``student_page``'s ``stats["terms"]``)."""
    word = escape(gettext("term"))
    percent = _percents()
    return mark_safe(  # noqa: S308 – every value is escaped
        "".join(
            f'<tr><th scope="row">{word} {_value(term.number)}</th><td>{_value(t.present)}</td>'
            f"<td>{_value(t.absent)}</td><td>{percent(t.percent)}</td></tr>"
            for term, t in terms
        )
    )


@register.simple_tag
def subject_rows(subjects) -> str:
    """The summary's rows by subject; a subject under 50 % is marked ``pct-low``."""
    if not subjects:
        return format_html('<tr><td colspan="5">{}</td></tr>', gettext("No attendance yet."))
    rows = []
    percent = _percents()
    for name, t in subjects:
        value = t.percent
        low = 'class="pct-low"' if value is not None and value < 50 else ""
        rows.append(
            f'<tr><th scope="row">{_value(name)}</th><td>{_value(t.present)}</td>'
            f"<td>{_value(t.absent)}</td><td>{_value(t.excluded)}</td>"
            f"<td {low}>{percent(value)}</td></tr>\n    "
        )
    return mark_safe("".join(rows))  # noqa: S308 – every value is escaped


@register.simple_tag
def month_rows(months) -> str:
    """The summary's rows by month (``m.Y``)."""
    percent = _percents()
    return mark_safe(  # noqa: S308 – every value is escaped
        "".join(
            f'<tr><th scope="row">{month.month:02d}.{month.year:04d}</th>'
            f"<td>{_value(t.present)}</td><td>{_value(t.absent)}</td>"
            f"<td>{percent(t.percent)}</td></tr>"
            for month, t in months
        )
    )
