"""PDF printouts: a student's attendance for a period, a class's monthly sheet.

Rendered from ``attendance/print/*.html`` by the shared printouts (``core.printing``), in
the reader's language.
"""

from __future__ import annotations

import datetime

from dziennik.core.printing import render_pdf


def student_attendance_pdf(*, school, student, school_class, date_from, date_to, marks, stats):
    return render_pdf(
        "attendance/print/student.html",
        {
            "school_name": school.name,
            "student": student,
            "school_class": school_class,
            "date_from": date_from,
            "date_to": date_to,
            "marks": marks,
            "stats": stats,
        },
    )


def class_month_pdf(*, school, school_class, month: datetime.date, sheet):
    """The sheet of one month: a dot for a day present at every lesson, else the codes of
    the other marks in lesson order."""
    rows = [
        {
            **row,
            "cell_texts": [
                " ".join(c for c in codes if c != "ob") or "·" for codes in row["cells"]
            ],
        }
        for row in sheet["rows"]
    ]
    return render_pdf(
        "attendance/print/class_month.html",
        {
            "school_name": school.name,
            "school_class": school_class,
            "month": month,
            "sheet": {**sheet, "rows": rows},
        },
    )
