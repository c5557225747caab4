"""Credential letters (*listy z danymi logowania*): a PDF with one page per person.

The letter is printed by the class teacher and handed to the student or the guardian. It
carries the one-time password in plain text, so it is built in memory and never stored.
Lato is embedded so that Polish letters (ą, ć, ę, ł, ń, ó, ś, ź, ż) print correctly.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import font_lato
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

FONT_DIR = Path(font_lato.font_directory)
FONT = "Lato"
KIND_STUDENT = "student"
KIND_GUARDIAN = "guardian"
KIND_STAFF = "staff"


@dataclass(frozen=True)
class IssuedCredential:
    """A login and its one-time password, in memory only, for one letter."""

    user_id: int
    full_name: str
    username: str
    password: str
    kind: str  # "student", "guardian" or "staff"
    # A guardian's children as "Zofia Wiśniewska (4a)"; a student's class name.
    about: tuple[str, ...]
    school_name: str


class _LetterPDF(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.add_font(FONT, "", str(FONT_DIR / "Lato-Regular.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "Lato-Bold.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)


def _row(pdf: FPDF, label: str, value: str, *, big: bool = False) -> None:
    pdf.set_font(FONT, "", 11)
    pdf.cell(55, 10 if big else 8, label)
    pdf.set_font(FONT, "B", 16 if big else 12)
    pdf.multi_cell(0, 10 if big else 8, value, new_x="LMARGIN", new_y="NEXT")


def _letter_page(pdf: FPDF, item: IssuedCredential, login_url: str, issued_on: str) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, item.school_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 6, _("Issued on %(date)s") % {"date": issued_on}, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, _("Your login to the electronic register"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _row(pdf, _("Name:"), item.full_name)
    if item.kind == KIND_GUARDIAN and item.about:
        _row(pdf, _("Guardian of:"), "\n".join(item.about))
    elif item.kind == KIND_STUDENT and item.about:
        _row(pdf, _("Class:"), ", ".join(item.about))
    elif item.kind == KIND_STAFF and item.about:
        _row(pdf, _("Roles:"), ", ".join(item.about))
    pdf.ln(2)
    _row(pdf, _("Login:"), item.username, big=True)
    _row(pdf, _("One-time password:"), item.password, big=True)
    _row(pdf, _("Login address:"), login_url)
    pdf.ln(6)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, _("How to log in for the first time"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    steps = [
        _("Open the login address above in a web browser."),
        _(
            "Type the login and the one-time password exactly as printed "
            "(capital and small letters differ)."
        ),
        _(
            "The register will ask you to choose your own password of at least 10 characters. "
            "The one-time password stops working then."
        ),
        _(
            "Keep your password to yourself. If you forget it, ask the class teacher or the "
            "school secretary for a new one-time password."
        ),
    ]
    for number, step in enumerate(steps, start=1):
        pdf.multi_cell(0, 6, f"{number}. {step}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        _(
            "This letter contains personal login data. Hand it only to the person named "
            "above and destroy it once the password has been changed."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def render_letters(
    items: Iterable[IssuedCredential],
    *,
    login_url: str,
    language: str | None = None,
    today: datetime.date | None = None,
) -> bytes:
    """The PDF of the letters, one page per person, in the school's language (Polish)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        issued_on = formats.date_format(today or timezone.localdate(), "DATE_FORMAT")
        pdf = _LetterPDF()
        pdf.set_title(_("Login details"))
        for item in items:
            _letter_page(pdf, item, login_url, issued_on)
        return bytes(pdf.output())
