"""Credential letters (*listy z danymi logowania*): a PDF with one page per person.

The letter is printed by the class teacher and handed to the student or the guardian. It
carries the one-time password in plain text: a single letter (a password reset) is built
in memory and sent at once; a class's letters are built by a background job and kept
only until their requester downloads them (``accounts.letter_jobs``). The template is
``accounts/print/letters.html``, rendered by the shared printouts (``core.printing``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from dziennik.core.printing import join_pdf, layout, render_html

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


LETTERS_PER_CHUNK = 10


def render_letters(
    items: Iterable[IssuedCredential],
    *,
    login_url: str,
    language: str | None = None,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The PDF of the letters, one page per person, in the school's language (Polish).

    Laid out ``LETTERS_PER_CHUNK`` letters at a time; ``progress(done)`` is told how many
    letters are laid out so far (the background job shows it)."""
    items = list(items)
    language = language or settings.LANGUAGE_CODE
    context = {"login_url": login_url, "issued_on": today or timezone.localdate()}
    documents = []
    for start in range(0, len(items), LETTERS_PER_CHUNK):
        chunk = items[start : start + LETTERS_PER_CHUNK]
        html = render_html(
            "accounts/print/letters.html", {**context, "items": chunk}, language=language
        )
        documents.append(layout(html))
        if progress is not None:
            progress(start + len(chunk))
    return join_pdf(documents)
