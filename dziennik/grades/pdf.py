"""The printable grade sheet (PDF) of one student: fpdf2 with Lato for Polish letters."""

from __future__ import annotations

import font_lato
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from .selectors import StudentReport


def grade_sheet_pdf(report: StudentReport) -> bytearray:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Lato", "", font_lato.Lato)
    pdf.add_font("Lato", "B", font_lato.LatoBold)
    pdf.set_title(_("Grade sheet") + f" – {report.student.full_name}")
    pdf.add_page()
    pdf.set_font("Lato", "B", 16)
    pdf.cell(0, 9, _("Grade sheet"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Lato", "", 11)
    school_class = report.school_class.name if report.school_class else "–"
    term = f"{report.term}" if report.term else "–"
    pdf.cell(
        0,
        6,
        f"{report.student.full_name} · {_('class')} {school_class}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(0, 6, term, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(
        col_widths=(45, 105, 20, 20),
        text_align=("LEFT", "LEFT", "CENTER", "CENTER"),
        line_height=6,
    ) as table:
        header = table.row()
        for title in (_("Subject"), _("Grades"), _("Average"), _("Term grade")):
            header.cell(title)
        for subject in report.subjects:
            row = table.row()
            row.cell(subject.subject.name)
            row.cell(_grades_text(subject.rows) or "–")
            row.cell(str(subject.average) if subject.average is not None else "–")
            term_grade = (
                subject.classification.get(f"term_{report.term.pk}") if report.term else None
            )
            row.cell(str(term_grade) if term_grade else "–")
    pdf.ln(4)
    pdf.set_font("Lato", "B", 11)
    overall = str(report.overall) if report.overall is not None else "–"
    pdf.cell(0, 6, f"{_('Overall average')}: {overall}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Lato", "", 9)
    pdf.cell(
        0,
        6,
        f"{_('Printed')}: {timezone.localtime():%d.%m.%Y %H:%M}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return pdf.output()


def _grades_text(rows) -> str:
    """The subject's grades: marks in one line, each descriptive grade whole on its own
    lines after the assessment's name (never cut: in classes 1–3 it is the assessment)."""
    marks = ", ".join(
        r.grade.display + (f" ({r.correction_of.display})" if r.correction_of else "")
        for r in rows
        if not r.grade.text
    )
    described = [f"{r.assessment.name}: {r.grade.text}" for r in rows if r.grade.text]
    return "\n".join(([marks] if marks else []) + described)
