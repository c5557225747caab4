"""The student's day-by-day grid, written in Python: a freshly built attendance page spent
most of its time in a loop of a few thousand small template nodes (one per mark)."""

import html

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def day_grid_rows(days) -> str:
    """The rows of ``attendance/student.html``'s grid (``selectors.student_day_grid``):
    one per day, one cell per lesson number, a mark per lesson in it."""
    escape = html.escape
    marks_html: dict = {}  # the same mark of the same subject, written once
    rows = []
    for day, cells in days:
        out = [
            f'<tr data-date="{day.isoformat()}"><th scope="row">'
            f"{escape(dateformat.format(day, 'D d.m'))}</th>"
        ]
        for marks in cells:
            out.append('<td class="grid-cell">')
            for m in marks:
                text = marks_html.get(m)
                if text is None:
                    label = f"{escape(str(m.subject))}: {escape(str(m.name))}"
                    text = marks_html[m] = (
                        f'<span class="mark base-{escape(str(m.base))}" '
                        f'data-colour="{escape(str(m.colour))}" title="{label}">'
                        f"{escape(str(m.code))}"
                        f'<span class="visually-hidden"> – {label}</span></span>'
                    )
                out.append(text)
            out.append("</td>")
        out.append("</tr>")
        rows.append("".join(out))
    return mark_safe("".join(rows))  # noqa: S308 – every value above is escaped


def _date(value) -> str:
    """``value|date:"d.m.Y"``."""
    return f"{value.day:02d}.{value.month:02d}.{value.year}" if value else ""


@register.simple_tag
def absence_rows(absences, deadline) -> str:
    """The rows of the student page's absences and lateness (``student_page_rows``)."""
    if not absences:
        return format_html('<tr><td colspan="5">{}</td></tr>', gettext("None."))
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
    for m in absences:
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
            f"<td>{escape(str(m['subject']))}</td><td>{escape(str(m['kind_name']))}</td>"
            f"<td>{state}</td></tr>\n    "
        )
    return mark_safe("".join(rows))  # noqa: S308 – every value above is escaped


@register.simple_tag
def recent_rows(recent) -> str:
    """The rows of the student page's recent lessons (``student_page_rows``): one per
    lesson of the last two weeks with its topic and the mark."""
    if not recent:
        return format_html(
            '<tr><td colspan="5">{}</td></tr>', gettext("No lessons in the last two weeks.")
        )
    escape = html.escape
    parts = []
    for m in recent:
        if m["counts_as"] == "absent":
            kind_class = "kind-absent"
        elif m["kind_base"] == "late":
            kind_class = "kind-late"
        else:
            kind_class = ""
        parts.append(
            f'<tr data-mark="{m["id"]}" data-kind="{escape(str(m["kind_code"]))}">'
            f"<td>{_date(m['date'])}</td><td>{m['slot']}</td><td>{escape(str(m['subject']))}</td>"
            f'<td class="topic">{escape(m["topic"]) if m["topic"] else "–"}</td>'
            f'<td><span class="{kind_class}">{escape(str(m["kind_name"]))}</span></td></tr>\n    '
        )
    return mark_safe("".join(parts))  # noqa: S308 – every value above is escaped
