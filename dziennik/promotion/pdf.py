"""The promotion list of a class as a PDF (``core.printing``)."""

from __future__ import annotations

from dziennik.core.printing import render_pdf

from .selectors import PromotionPage


def promotion_list_pdf(page: PromotionPage) -> bytes:
    """The saved list of ``page`` in the reader's language."""
    return render_pdf(
        "promotion/print/list.html",
        {"page": page, "school_name": page.school_class.school.name},
    )
