"""The printable grade sheet (PDF) of one student, from ``grades/print/grade_sheet.html``
through the shared printouts (``core.printing``).

Descriptive grades (classes 1–3, G-10, L-18; any grade a teacher wrote out in words) are
printed whole, each as a block of its own below the table, referred to from the table by
number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dziennik.core.printing import render_pdf

from .selectors import StudentReport


@dataclass
class SheetRow:
    """One subject's line of the sheet; descriptive texts are notes numbered from 1."""

    name: str
    grades: list[dict] = field(default_factory=list)
    average: object = None
    classification: list[dict] = field(default_factory=list)


@dataclass
class DescriptiveNote:
    number: int
    subject: str
    heading: str
    date: object
    text: str
    author: str = ""
    kind: str = ""  # a classification grade's kind ("term", "final"); "" for a current one
    is_proposal: bool = False


def _rows(report: StudentReport) -> tuple[list[SheetRow], list[DescriptiveNote]]:
    """The table's rows and the descriptive grades they refer to."""
    rows: list[SheetRow] = []
    notes: list[DescriptiveNote] = []
    chosen = {report.term.pk} if report.term else None
    for subject in report.subjects:
        row = SheetRow(name=subject.subject.name, average=subject.average)
        for line in subject.rows:
            grade = line.grade
            item = {"symbol": grade.symbol, "points": grade.points, "note": None}
            item["correction_of"] = line.correction_of.display if line.correction_of else ""
            if grade.text and grade.points is None:
                note = DescriptiveNote(
                    len(notes) + 1,
                    row.name,
                    line.assessment.name,
                    line.assessment.date,
                    grade.text,
                    line.teacher_name,
                )
                notes.append(note)
                item["note"] = note.number
            row.grades.append(item)
        for cg in subject.classification.values():
            if chosen is not None and cg.term_id not in chosen:
                continue
            item = {"kind": cg.kind, "is_proposal": cg.is_proposal, "grade": cg.grade}
            # the grade's name in full (G-01) or the outcome in words (G-11)
            item["full"] = getattr(cg, "full", "") if (cg.grade or cg.outcome) else ""
            item["outcome"] = cg.outcome
            item["exam"] = getattr(cg, "exam_full", "") and f"{cg.exam_grade} ({cg.exam_full})"
            item["note"] = None
            if not cg.grade and not cg.outcome and cg.text:
                note = DescriptiveNote(len(notes) + 1, row.name, "", None, cg.text, kind=cg.kind)
                note.is_proposal = cg.is_proposal
                notes.append(note)
                item["note"] = note.number
            row.classification.append(item)
        rows.append(row)
    return rows, notes


def grade_sheet_pdf(report: StudentReport) -> bytes:
    """The grade sheet of ``report`` in the active language (the reader's)."""
    rows, notes = _rows(report)
    return render_pdf(
        "grades/print/grade_sheet.html",
        {
            "report": report,
            "rows": rows,
            "notes": notes,
            "school_name": report.student.school.name,
        },
    )
