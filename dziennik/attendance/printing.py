"""PDF printouts: a student's attendance for a period, a class's monthly sheet.

fpdf2 with the Lato font (from the ``font_lato`` package), which covers Polish letters.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import font_lato
from django.utils.translation import gettext as _
from fpdf import FPDF

FONT_DIR = Path(font_lato.__file__).parent / "files"


def _pdf(orientation: str = "P") -> FPDF:
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font("Lato", "", str(FONT_DIR / "Lato-Regular.ttf"))
    pdf.add_font("Lato", "B", str(FONT_DIR / "Lato-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font("Lato", size=10)
    return pdf


def _pct(value) -> str:
    return "–" if value is None else f"{value}%"


def student_attendance_pdf(*, school, student, school_class, date_from, date_to, marks, stats):
    pdf = _pdf()
    pdf.set_font("Lato", "B", 14)
    pdf.cell(0, 8, _("Attendance"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Lato", size=10)
    pdf.cell(0, 6, str(school), new_x="LMARGIN", new_y="NEXT")
    class_name = school_class.name if school_class else "–"
    pdf.cell(
        0,
        6,
        f"{student.full_name}, {_('class')} {class_name}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        0,
        6,
        f"{date_from:%d.%m.%Y} – {date_to:%d.%m.%Y}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    overall = stats["overall"]
    pdf.cell(
        0,
        6,
        f"{_('Attendance')}: {_pct(overall.percent)}   "
        f"{_('present')}: {overall.present}   {_('absent')}: {overall.absent}   "
        f"{_('left out')}: {overall.excluded}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    with pdf.table(col_widths=(22, 12, 45, 55, 52), text_align="LEFT") as table:
        table.row([_("Date"), _("Lesson"), _("Subject"), _("Attendance"), _("Topic")])
        for mark in marks:
            table.row(
                [
                    f"{mark.date:%d.%m.%Y}",
                    str(mark.lesson.slot.number),
                    mark.lesson.subject.name,
                    mark.kind.name,
                    mark.lesson.topic,
                ]
            )
    pdf.ln(3)
    pdf.set_font("Lato", "B", 11)
    pdf.cell(0, 7, _("By subject"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Lato", size=10)
    with pdf.table(col_widths=(80, 30, 30, 30), text_align="LEFT") as table:
        table.row([_("Subject"), _("present"), _("absent"), _("Attendance")])
        for name, t in stats["subjects"]:
            table.row([name, str(t.present), str(t.absent), _pct(t.percent)])
    return bytes(pdf.output())


def class_month_pdf(*, school, school_class, month: datetime.date, sheet):
    pdf = _pdf("L")
    pdf.set_font("Lato", "B", 14)
    pdf.cell(
        0,
        8,
        f"{_('Monthly attendance sheet')} – {_('class')} {school_class.name} – {month:%m.%Y}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Lato", size=9)
    pdf.cell(0, 6, str(school), new_x="LMARGIN", new_y="NEXT")
    days = sheet["days"]
    pdf.set_font("Lato", size=7)
    name_w, pct_w = 42, 14
    day_w = max(6.0, min(12.0, (273 - name_w - pct_w) / max(len(days), 1)))
    widths = (name_w, *([day_w] * len(days)), pct_w)
    with pdf.table(col_widths=widths, text_align="LEFT", width=sum(widths)) as table:
        table.row([_("Student"), *(f"{d:%d}" for d in days), "%"])
        for row in sheet["rows"]:
            e = row["enrolment"]
            table.row(
                [
                    f"{e.journal_number}. {e.student.last_name} {e.student.first_name}",
                    *(" ".join(c for c in codes if c != "ob") or "·" for codes in row["cells"]),
                    _pct(row["tally"].percent),
                ]
            )
    pdf.ln(2)
    pdf.set_font("Lato", size=8)
    pdf.multi_cell(
        0,
        4,
        _("A dot means present at every lesson; codes list the other marks in lesson order."),
    )
    return bytes(pdf.output())
