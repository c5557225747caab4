"""The promotion list of a class and the students' grade sheets as PDFs
(``core.printing``)."""

from __future__ import annotations

from django.conf import settings

from dziennik.core.printing import render_pdf

from .grade_sheets import ClassSheets
from .selectors import PromotionPage


def promotion_list_pdf(page: PromotionPage) -> bytes:
    """The saved list of ``page`` in the reader's language."""
    return render_pdf(
        "promotion/print/list.html",
        {"page": page, "school_name": page.school_class.school.name},
    )


def grade_sheets_pdf(sheets: ClassSheets) -> bytes:
    """The grade sheets (*arkusze ocen*) of ``sheets``, each from a new page, always in
    the school's language (Polish): an official record of the school, kept 50 years,
    whatever the language of the person who prints it."""
    return render_pdf(
        "promotion/print/grade_sheets.html",
        {"sheets": sheets, "school_name": sheets.school_class.school.name},
        language=settings.LANGUAGE_CODE,
    )
