"""The printouts of a job, laid out part by part so that the job can tell its progress:
a class's register is its summary page and one part per subject; the class teacher's
pages are one part; the whole school is both documents of every class, in one ZIP."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import slugify

from dziennik.archive.selectors import class_journal
from dziennik.core.printing import join_pdf, layout, render_html
from dziennik.schools.models import SchoolClass

from .journals import SubjectSection, class_teacher_pages, register_sections
from .models import PrintJob

Progress = Callable[[], None]


@dataclass
class Document:
    """One PDF of the job: its file name and the parts it is laid out from."""

    filename: str
    parts: list[Callable[[], object]]


def _html(template: str, school_class: SchoolClass, context: dict):
    context = {"school_name": school_class.school.name, "school_class": school_class, **context}
    return layout(render_html(template, context, language=settings.LANGUAGE_CODE))


def register_document(school_class: SchoolClass, teacher_id: int | None = None) -> Document:
    """A class's register (*dziennik lekcyjny*): the year's summary (the archive's
    ``class_journal``) and every subject; a teacher's copy holds their subjects only."""
    parts: list[Callable[[], object]] = []
    if teacher_id is None:
        parts.append(
            lambda: _html(
                "printing/print/register_cover.html",
                school_class,
                {"journal": class_journal(school_class)},
            )
        )
    sections = register_sections(school_class, teacher_id=teacher_id)
    for section in sections:
        parts.append(
            lambda section=section: _html(
                "printing/print/register_subject.html", school_class, {"section": section}
            )
        )
    if not parts:  # a teacher without subjects in the class: a page saying so, no more
        empty = SubjectSection(name=school_class.name, teachers=[], term_names=[])
        parts.append(
            lambda: _html("printing/print/register_subject.html", school_class, {"section": empty})
        )
    return Document(f"dziennik-{slugify(school_class.name)}.pdf", parts)


def class_teacher_document(school_class: SchoolClass) -> Document:
    """The class teacher's pages (*strony wychowawcy*) of a class."""
    return Document(
        f"wychowawca-{slugify(school_class.name)}.pdf",
        [
            lambda: _html(
                "printing/print/class_teacher.html",
                school_class,
                {"pages": class_teacher_pages(school_class)},
            )
        ],
    )


def documents_of(job: PrintJob) -> list[Document]:
    if job.kind == PrintJob.Kind.REGISTER:
        return [register_document(job.school_class, job.teacher_id)]
    if job.kind == PrintJob.Kind.CLASS_TEACHER:
        return [class_teacher_document(job.school_class)]
    classes = SchoolClass.objects.filter(school_year_id=job.school_year_id).select_related(
        "school", "school_year", "class_teacher"
    )
    result = []
    for school_class in classes.order_by("level", "name"):
        result += [register_document(school_class), class_teacher_document(school_class)]
    return result


def count_parts(documents: list[Document]) -> int:
    return sum(len(document.parts) for document in documents)


def render(documents: list[Document], *, zipped: bool, progress: Progress) -> bytes:
    """The job's file: one PDF, or a ZIP of PDFs; ``progress`` is called after each part."""
    pdfs = []
    for document in documents:
        laid_out = []
        for part in document.parts:
            laid_out.append(part())
            progress()
        pdfs.append((document.filename, join_pdf(laid_out)))
    if not zipped:
        return pdfs[0][1]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, content in pdfs:
            archive.writestr(filename, content)
    return out.getvalue()
